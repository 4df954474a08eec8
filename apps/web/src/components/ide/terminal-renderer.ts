import type { Terminal } from '@xterm/xterm';

/** How far (device pixels) a canvas may be off its CSS size × ratio: rounding, not a fault. */
const PIXEL_SLACK = 2;

export interface GpuRenderer {
  /** Looks again whether the GPU picture is right (call when the terminal's size changed). */
  check: () => void;
  dispose: () => void;
}

/**
 * xterm's WebGL renderer, kept only while it draws correctly; otherwise xterm's DOM renderer
 * (always there underneath) draws. WebGL is dropped when the browser has none or loses the
 * context, and when its canvas does not have the device pixels its shaders assume: this
 * happens under Chromium's device emulation (DevTools' device toolbar, automated browsers
 * emulating a phone or a HiDPI screen), where the terminal would otherwise stay blank. When
 * the window moves to a screen with another pixel ratio, the renderer is made again for it
 * (the WebGL addon does not rescale itself).
 *
 * The two renderers size cells differently (WebGL rounds them to whole device pixels, the DOM
 * renderer does not: at a pixel ratio of 3, 7.67 against 7.83 CSS pixels for a 13 px font), so
 * columns fitted for one overflow the other: `onChange` is called whenever the renderer
 * changes, to fit the terminal again.
 */
export function attachGpuRenderer(term: Terminal, onChange: () => void): GpuRenderer {
  let addon: { dispose: () => void } | undefined;
  let stopped = false;
  let frame = 0;
  let media: MediaQueryList | undefined;

  const drop = () => {
    if (!addon) return;
    addon.dispose();
    addon = undefined;
    if (!stopped) onChange();
  };
  let later: ReturnType<typeof setTimeout> | undefined;
  const judge = () => {
    if (addon && !drawsAtDevicePixels(term.element)) drop();
  };
  const check = () => {
    cancelAnimationFrame(frame);
    clearTimeout(later);
    // Two frames: the addon sizes its canvas in a ResizeObserver callback after layout. And once
    // more a little later: a replay resizes the terminal, and the addon's own pixel observer
    // can answer after that.
    frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(judge);
    });
    later = setTimeout(judge, 500);
  };
  const load = async () => {
    drop();
    try {
      const { WebglAddon } = await import('@xterm/addon-webgl');
      if (stopped) return;
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        if (addon === webgl) drop();
      });
      term.loadAddon(webgl);
      addon = webgl;
      onChange();
      check();
    } catch {
      // No WebGL here (headless, blocklisted GPU): the DOM renderer is already active.
    }
  };
  const onRatioChange = () => {
    watchRatio();
    void load();
  };
  const watchRatio = () => {
    media = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    media.addEventListener('change', onRatioChange, { once: true });
  };

  watchRatio();
  void load();
  return {
    check,
    dispose: () => {
      stopped = true;
      cancelAnimationFrame(frame);
      clearTimeout(later);
      media?.removeEventListener('change', onRatioChange);
      drop();
    },
  };
}

/** Whether every visible canvas of the terminal has its CSS size × the pixel ratio in pixels. */
export function drawsAtDevicePixels(root: HTMLElement | undefined): boolean {
  if (!root) return true;
  const ratio = window.devicePixelRatio;
  for (const canvas of root.querySelectorAll('canvas')) {
    // Hidden (a pane not shown) or an off-screen helper: nothing to judge.
    if (canvas.clientWidth < 16 || canvas.clientHeight < 16) continue;
    if (
      Math.abs(canvas.width - canvas.clientWidth * ratio) > PIXEL_SLACK ||
      Math.abs(canvas.height - canvas.clientHeight * ratio) > PIXEL_SLACK
    )
      return false;
  }
  return true;
}
