import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  childPidsOf,
  createSourceRepo,
  isProcessAlive,
  makeTempDir,
  TerminalClient,
} from '@grove/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestWorker, type TestWorker } from '../../testing/harness';
import {
  byteAccountingErrors,
  createSession,
  numberLines,
  openTerminal,
  requestTicket,
  TEST_ORIGIN,
} from '../../testing/terminals';

function childrenOf(pid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe('terminals over WebSocket (real PTYs, real sockets)', () => {
  let tw: TestWorker & { cleanup: () => void };
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;

  beforeAll(async () => {
    temp = makeTempDir('grove-terms-');
    repo = createSourceRepo(path.join(temp.dir, 'origin'));
    tw = await startTestWorker({
      GROVE_MAX_TERMINALS_PER_USER: '5',
      GROVE_MAX_SESSIONS_PER_REPO: '50',
    });
  });

  afterAll(async () => {
    await tw.close();
    tw.cleanup();
    temp.cleanup();
  });

  it('runs a login shell in the worktree: echo works and pwd is the worktree', async () => {
    const session = await createSession(tw, 'alice', repo);
    const { client } = await openTerminal(tw, 'alice', session.id);
    expect(client.frames[0]).toMatchObject({ type: 'connected' });
    client.input('echo grove-$((40+2)) && pwd\r');
    await client.waitFor(/grove-42\r\n/);
    await client.waitFor(new RegExp(`\\r\\n${session.worktree}\\r\\n`));
    client.input(
      'env | grep -c -E "WORKER_SECRET|ANTHROPIC|GITHUB_TOKEN|SUPABASE" ; echo "term=$TERM"\r',
    );
    await client.waitFor(/term=xterm-256color/);
    expect(numberLines(client.text)).toContain(0);
    expect(byteAccountingErrors(client, 0)).toEqual([]);
    await client.close();
  });

  it('resumes with since: seq 1 200000 arrives exactly once across a dropped socket', async () => {
    const session = await createSession(tw, 'alice', repo);
    const first = await openTerminal(tw, 'alice', session.id);
    first.client.input('seq 1 200000\r');
    await first.client.waitFor(/\r\n5000\r\n/);
    await first.client.close();
    const resumeFrom = first.client.lastSeq;
    const second = await openTerminal(tw, 'alice', session.id, {
      terminalId: first.terminalId,
      since: resumeFrom,
    });
    await second.client.waitFor(/\r\n200000\r\n/, 30_000);
    expect(numberLines(first.client.text + second.client.text)).toEqual(range(200_000));
    expect(byteAccountingErrors(first.client, 0)).toEqual([]);
    expect(byteAccountingErrors(second.client, resumeFrom)).toEqual([]);
    await second.client.close();
  });

  it('loses nothing across 50 random disconnects under a flood larger than the buffer', async () => {
    const session = await createSession(tw, 'bob', repo);
    const opened = await openTerminal(tw, 'bob', session.id);
    const { terminalId } = opened;
    let { client } = opened;
    const texts: string[] = [];
    client.input('seq 1 2000000\r'); // ~16 MB: four times the 4 MiB replay buffer
    for (let i = 0; i < 50; i++) {
      await sleep(Math.floor(Math.random() * 40));
      await client.close();
      texts.push(client.text);
      const since = client.lastSeq;
      ({ client } = await openTerminal(tw, 'bob', session.id, { terminalId, since }));
      expect(byteAccountingErrors(client, since)).toEqual([]);
      expect(client.frames.filter((f) => f.type === 'error')).toEqual([]);
    }
    // The last line may already be in an earlier socket's text; only the seam needs joining.
    const seen = texts.join('');
    const end = '\r\n2000000\r\n';
    if (!seen.includes(end))
      await client.waitFor((c) => (seen.slice(-16) + c.text).includes(end), 60_000);
    texts.push(client.text);
    expect(numberLines(texts.join(''))).toEqual(range(2_000_000));
    await client.close();
  });

  it('answers a since that is no byte count, or past the output, with invalid_since and replays what is kept', async () => {
    const session = await createSession(tw, 'quinn', repo);
    const { client, terminalId } = await openTerminal(tw, 'quinn', session.id);
    client.input('echo kept-$((6*7))\r');
    await client.waitFor(/kept-42\r\n/);
    await client.close();
    const resume = async (since: string) => {
      const { body } = await requestTicket(tw, 'quinn', session.id, terminalId);
      const url = `${tw.baseUrl.replace('http', 'ws')}${body.wsPath}&since=${encodeURIComponent(since)}`;
      const resumed = await TerminalClient.connect(url, { origin: TEST_ORIGIN, ack: true });
      await resumed.waitFor(/kept-42\r\n/);
      await resumed.close();
      return resumed;
    };
    for (const since of ['abc', '-1', '1.5', '', '0x10', ' 1', '1e3', String(10 ** 12)]) {
      const resumed = await resume(since);
      // The same as for a since past the output: `connected`, the error, then every kept byte.
      expect(resumed.frames[0], since).toMatchObject({ type: 'connected', terminalId });
      expect(resumed.frames[1], since).toMatchObject({ type: 'error', code: 'invalid_since' });
      expect(
        resumed.frames.filter((f) => f.type === 'error'),
        since,
      ).toHaveLength(1);
      expect(byteAccountingErrors(resumed, 0), since).toEqual([]);
    }
    const message = (await resume('abc')).frames[1]!.message;
    expect(message).toBe(
      'since="abc" is not a byte count (a whole number, 0 or more); replaying what is kept',
    );
    // A valid since (0: everything) has no error.
    const valid = await resume('0');
    expect(valid.frames.filter((f) => f.type === 'error')).toEqual([]);
    expect(byteAccountingErrors(valid, 0)).toEqual([]);
  });

  it('refuses reused, expired, foreign-user and foreign-origin tickets before the upgrade', async () => {
    const session = await createSession(tw, 'carol', repo);
    const wsBase = tw.baseUrl.replace('http', 'ws');
    const { body } = await requestTicket(tw, 'carol', session.id);
    const url = `${wsBase}${body.wsPath}`;
    const ok = await TerminalClient.connect(url, { origin: TEST_ORIGIN });
    await expect(TerminalClient.connect(url, { origin: TEST_ORIGIN })).rejects.toMatchObject({
      status: 401,
    });
    await ok.close();

    const foreignOrigin = await requestTicket(tw, 'carol', session.id, body.terminalId);
    await expect(
      TerminalClient.connect(`${wsBase}${foreignOrigin.body.wsPath}`, {
        origin: 'https://evil.example',
      }),
    ).rejects.toMatchObject({ status: 403 });

    // Another user can neither get a ticket for this session nor use theirs on this terminal.
    expect((await requestTicket(tw, 'mallory', session.id)).status).toBe(404);
    expect((await requestTicket(tw, 'mallory', session.id, body.terminalId)).status).toBe(404);
    const mallorySession = await createSession(tw, 'mallory', repo);
    const malloryTicket = await requestTicket(tw, 'mallory', mallorySession.id);
    const stolen = `${wsBase}/terminals/${body.terminalId}/ws?ticket=${malloryTicket.body.ticket}`;
    await expect(TerminalClient.connect(stolen, { origin: TEST_ORIGIN })).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      TerminalClient.connect(`${wsBase}/terminals/${body.terminalId}/ws`, { origin: TEST_ORIGIN }),
    ).rejects.toMatchObject({
      status: 401,
    });

    const shortLived = await startTestWorker(
      { GROVE_TERMINAL_TICKET_SECONDS: '0.3' },
      path.join(temp.dir, 'short'),
    );
    try {
      const s = await createSession(shortLived, 'carol', repo);
      const t = await requestTicket(shortLived, 'carol', s.id);
      const pid = shortLived.worker.terminals.get(t.body.terminalId)!.pid;
      await sleep(500);
      await expect(
        TerminalClient.connect(`${shortLived.baseUrl.replace('http', 'ws')}${t.body.wsPath}`, {
          origin: TEST_ORIGIN,
        }),
      ).rejects.toMatchObject({ status: 401 });
      // Nobody ever connected: the shell goes soon after its ticket, not after the grace period.
      const started = Date.now();
      while (shortLived.worker.terminals.get(t.body.terminalId) && Date.now() - started < 5000)
        await sleep(50);
      expect(shortLived.worker.terminals.get(t.body.terminalId)).toBeUndefined();
      await sleep(200);
      expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await shortLived.close();
    }
  });

  it('keeps memory bounded with a client that reads nothing, and Ctrl-C still interrupts', async () => {
    const session = await createSession(tw, 'dave', repo);
    const { client, terminalId } = await openTerminal(tw, 'dave', session.id, { ack: false });
    client.input('yes grove-flood\r');
    await client.waitFor(/grove-flood\r\ngrove-flood/);
    // Stop reading: TCP backpressure fills the worker's send buffer.
    (client.ws as unknown as { _socket: { pause: () => void } })._socket.pause();
    const terminal = tw.worker.terminals.get(terminalId)!;
    const rssBefore = process.memoryUsage().rss;
    await sleep(3000);
    expect(terminal.paused).toBe(true);
    expect(terminal.buffer.size).toBeLessThanOrEqual(terminal.buffer.capacity);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    expect(childrenOf(terminal.pid)).toContain('yes');
    client.input('\x03');
    const started = Date.now();
    while (childrenOf(terminal.pid).includes('yes') && Date.now() - started < 2000) await sleep(10);
    expect(childrenOf(terminal.pid)).not.toContain('yes');
    expect(Date.now() - started).toBeLessThan(1000);
    client.ws.terminate();
  });

  it('shows output to two sockets on one terminal', async () => {
    const session = await createSession(tw, 'erin', repo);
    const a = await openTerminal(tw, 'erin', session.id);
    const b = await openTerminal(tw, 'erin', session.id, { terminalId: a.terminalId });
    a.client.input('echo both-$((6*7))\r');
    await a.client.waitFor(/both-42/);
    await b.client.waitFor(/both-42/);
    expect(tw.worker.sessions.store.get(session.id)?.status).toBe('connected');
    await a.client.close();
    await b.client.close();
    await sleep(50);
    expect(tw.worker.sessions.store.get(session.id)?.status).toBe('active');
  });

  it('answers bad frames with error frames and keeps the connection and terminal alive', async () => {
    const session = await createSession(tw, 'frank', repo);
    const { client } = await openTerminal(tw, 'frank', session.id);
    client.send({ type: 'input', data: 'x'.repeat(1024 * 1024 + 10) });
    client.send('not json {');
    client.send({ type: 'explode' });
    client.send({ type: 'resize', cols: 100000, rows: 1 });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.waitFor((c) => c.frames.filter((f) => f.type === 'error').length >= 5);
    const codes = client.frames.filter((f) => f.type === 'error').map((f) => f.code);
    expect(codes).toEqual([
      'frame_too_large',
      'invalid_json',
      'invalid_frame',
      'invalid_frame',
      'invalid_frame',
    ]);
    client.send({ type: 'ping' });
    await client.waitFor((c) => c.frames.some((f) => f.type === 'pong'));
    client.send({ type: 'resize', cols: 120, rows: 40 });
    client.input('stty size\r');
    await client.waitFor(/40 120/);
    await client.close();
  });

  it('tells every new socket the sizes the kept output was produced at, resizes included', async () => {
    const session = await createSession(tw, 'hank', repo);
    const first = await openTerminal(tw, 'hank', session.id);
    await first.client.waitFor((c) => c.frames.some((f) => f.type === 'connected'));
    expect(first.client.frames[0]).toMatchObject({ type: 'connected', cols: 80, rows: 24 });
    first.client.input('echo at-80\r');
    await first.client.waitFor(/at-80\r\n/);
    first.client.send({ type: 'resize', cols: 120, rows: 40 });
    first.client.input('stty size; printf "%0120d\\n" 7\r');
    await first.client.waitFor(/40 120\r\n/);
    await first.client.waitFor(/0{119}7/);
    await first.client.close();

    // A phone attaching later must learn 80×24 for the first prompt, then 120×40 from the resize
    // on, to render the replayed 120-column line right.
    const second = await openTerminal(tw, 'hank', session.id, { terminalId: first.terminalId });
    await second.client.waitFor(/0{119}7/);
    const [connected, ...rest] = second.client.frames;
    expect(connected).toEqual({
      type: 'connected',
      terminalId: first.terminalId,
      seq: expect.any(Number),
      cols: 80,
      rows: 24,
    });
    const resizeAt = rest.findIndex((frame) => frame.type === 'resize');
    expect(rest[resizeAt]).toEqual({
      type: 'resize',
      cols: 120,
      rows: 40,
      seq: expect.any(Number),
    });
    // It falls between output frames, at the seq the output before it ends on.
    const before = rest.slice(0, resizeAt).filter((frame) => frame.type === 'output');
    expect(before.at(-1)).toMatchObject({ seq: (rest[resizeAt] as { seq: number }).seq });
    const after = rest
      .slice(resizeAt + 1)
      .map((frame) => (frame.type === 'output' ? frame.data : ''))
      .join('');
    expect(after).toContain('40 120');
    expect(before.map((frame) => (frame as { data: string }).data).join('')).not.toContain(
      '40 120',
    );
    expect(rest.filter((frame) => frame.type === 'resize')).toHaveLength(1);
    // Resumed sockets get it too, even with nothing to replay.
    const since = second.client.lastSeq;
    await second.client.close();
    const third = await openTerminal(tw, 'hank', session.id, {
      terminalId: first.terminalId,
      since,
    });
    await third.client.waitFor((c) => c.frames.some((f) => f.type === 'connected'));
    expect(third.client.frames[0]).toMatchObject({ type: 'connected', cols: 120, rows: 40 });
    await third.client.close();
  });

  it('closes a terminal for its owner only: shell and foreground job gone, 4004, off the list', async () => {
    const session = await createSession(tw, 'ivy', repo);
    const otherSession = await createSession(tw, 'ivy', repo);
    const { client, terminalId } = await openTerminal(tw, 'ivy', session.id);
    client.input('echo ready-$((2*4)); sleep 300\r');
    await client.waitFor(/ready-8\r\n/);
    const pid = tw.worker.terminals.get(terminalId)!.pid;
    const started = Date.now();
    while (childPidsOf(pid).length === 0 && Date.now() - started < 5000) await sleep(20);
    const [sleeper] = childPidsOf(pid);
    expect(sleeper).toBeDefined();
    const ivy = tw.fetchAs('ivy');
    const listed = async () =>
      (
        (await (await ivy(`/sessions/${session.id}/terminals`)).json()) as {
          terminals: { id: string }[];
        }
      ).terminals.map((t) => t.id);
    expect(await listed()).toEqual([terminalId]);

    // Another user, another session of the owner, or a malformed id: nothing happens.
    const foreign = await tw.fetchAs('oscar')(`/terminals/${terminalId}`, { method: 'DELETE' });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const wrongSession = await ivy(`/terminals/${terminalId}?sessionId=${otherSession.id}`, {
      method: 'DELETE',
    });
    expect(wrongSession.status).toBe(404);
    expect((await ivy('/terminals/NOT_AN_ID', { method: 'DELETE' })).status).toBe(422);
    expect(isProcessAlive(pid)).toBe(true);
    expect(tw.worker.terminals.get(terminalId)?.running).toBe(true);

    const deleted = await ivy(`/terminals/${terminalId}?sessionId=${session.id}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect(isProcessAlive(pid)).toBe(false);
    const until = Date.now() + 2000;
    while (isProcessAlive(sleeper!) && Date.now() < until) await sleep(20);
    expect(isProcessAlive(sleeper!)).toBe(false);
    expect(await client.closed).toEqual({ code: 4004, reason: 'terminal closed' });
    expect(await listed()).toEqual([]);
    expect(tw.worker.terminals.get(terminalId)).toBeUndefined();
    expect(tw.worker.terminals.liveCountFor('ivy')).toBe(0);
    expect((await ivy(`/terminals/${terminalId}`, { method: 'DELETE' })).status).toBe(404);
    // A closed terminal cannot be revived with a ticket.
    expect((await requestTicket(tw, 'ivy', session.id, terminalId)).status).toBe(404);
  });

  it('starts a fresh shell after `exit`, with a line that says the shell exited and its code', async () => {
    const session = await createSession(tw, 'kim', repo);
    const { client, terminalId } = await openTerminal(tw, 'kim', session.id);
    client.input('echo before-exit-$((2+2)); exit 3\r');
    await client.waitFor((c) => c.frames.some((f) => f.type === 'exit'));
    expect(client.frames.find((f) => f.type === 'exit')).toEqual({ type: 'exit', exitCode: 3 });
    expect(client.text).toContain('before-exit-4');
    await client.close();

    // A reload: a ticket for the same terminal brings a new shell after the old scrollback.
    const again = await openTerminal(tw, 'kim', session.id, { terminalId });
    await again.client.waitFor(/previous shell exited/);
    expect(again.client.text).toContain('before-exit-4');
    expect(again.client.text).toContain(
      '──── previous shell exited with code 3; this is a new shell ────',
    );
    // The worker never restarted: it does not say so.
    expect(again.client.text).not.toContain('worker restarted');
    again.client.input('echo after-exit-$((3+3))\r');
    await again.client.waitFor(/after-exit-6\r\n/);
    expect(tw.worker.terminals.get(terminalId)?.running).toBe(true);
    await again.client.close();
  });

  it('says a shell a signal ended was ended by that signal', async () => {
    const session = await createSession(tw, 'lena', repo);
    const { client, terminalId } = await openTerminal(tw, 'lena', session.id);
    client.input('kill -9 $$\r');
    await client.waitFor((c) => c.frames.some((f) => f.type === 'exit'));
    // Not node-pty's exit code 0, which reads as a clean `exit`.
    expect(client.frames.find((f) => f.type === 'exit')).toEqual({
      type: 'exit',
      exitCode: null,
      signal: 9,
    });
    await client.close();
    const again = await openTerminal(tw, 'lena', session.id, { terminalId });
    await again.client.waitFor(/previous shell \w+/);
    expect(again.client.text).toContain(
      '──── previous shell was ended by signal 9; this is a new shell ────',
    );
    await again.client.close();
  });

  it('limits live terminals per user (429) and kills them when the session is deleted', async () => {
    const session = await createSession(tw, 'gina', repo);
    const named = await tw.fetchAs('gina')('/sessions', { json: { repo, name: 'notes' } });
    const other = ((await named.json()) as { session: { id: string } }).session;
    const opened = [];
    for (let i = 0; i < 3; i++) opened.push(await openTerminal(tw, 'gina', session.id));
    for (let i = 0; i < 2; i++) opened.push(await openTerminal(tw, 'gina', other.id));
    const refused = await requestTicket(tw, 'gina', session.id);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('terminal_limit');
    // It says where the open ones are: some may be in a session no tab shows.
    expect(refused.body.error?.message).toBe(
      `At most 5 live terminals per user (open: 3 in session/${session.id}, 2 in "notes"); close one first`,
    );
    const pids = opened.map((o) => tw.worker.terminals.get(o.terminalId)!.pid);
    for (const id of [session.id, other.id]) {
      const deleted = await tw.fetchAs('gina')(`/sessions/${id}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
    }
    for (const { client } of opened) expect((await client.closed).code).toBe(4004);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(tw.worker.terminals.liveCountFor('gina')).toBe(0);
  });
});

describe('terminal grace period', () => {
  it('kills a terminal idle past its grace period even while the socket sends pings', async () => {
    const temp = makeTempDir('grove-grace-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'));
    const tw = await startTestWorker(
      { GROVE_TERMINAL_GRACE_SECONDS: '1' },
      path.join(temp.dir, 'data'),
    );
    try {
      const session = await createSession(tw, 'alice', repo);
      const { client, terminalId } = await openTerminal(tw, 'alice', session.id);
      client.input('echo idle-$((3*3))\r');
      await client.waitFor(/idle-9\r\n/);
      const pid = tw.worker.terminals.get(terminalId)!.pid;
      const pinger = setInterval(() => client.send({ type: 'ping' }), 200);
      const closed = await client.closed;
      clearInterval(pinger);
      expect(closed.code).toBe(4004);
      expect(client.frames.filter((f) => f.type === 'pong').length).toBeGreaterThan(2);
      expect(() => process.kill(pid, 0)).toThrow();
      // The scrollback is still there for a new shell on the same terminal, under a line that
      // says the old one was ended (the worker sent SIGHUP), not that it exited or the worker
      // restarted.
      const again = await openTerminal(tw, 'alice', session.id, { terminalId });
      await again.client.waitFor(/idle-9/);
      await again.client.waitFor(/previous shell \w+/);
      expect(again.client.text).toContain(
        '──── previous shell was ended by a signal; this is a new shell ────',
      );
      await again.client.close();
    } finally {
      await tw.close();
      temp.cleanup();
    }
  });
});

describe('terminal scrollback across a worker restart', () => {
  it('shows the previous scrollback, marked, and gives a fresh shell', async () => {
    const temp = makeTempDir('grove-restart-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'));
    const dataDir = path.join(temp.dir, 'data');
    try {
      let tw = await startTestWorker({}, dataDir);
      const session = await createSession(tw, 'alice', repo);
      const first = await openTerminal(tw, 'alice', session.id);
      first.client.input('echo before-restart-$((1+1))\r');
      await first.client.waitFor(/before-restart-2\r\n/);
      const oldPid = tw.worker.terminals.get(first.terminalId)!.pid;
      await tw.close();
      expect((await first.client.closed).code).toBe(1001);

      tw = await startTestWorker({}, dataDir);
      const listed = (await (
        await tw.fetchAs('alice')(`/sessions/${session.id}/terminals`)
      ).json()) as { terminals: { id: string; status: string }[] };
      expect(listed.terminals).toEqual([
        expect.objectContaining({ id: first.terminalId, status: 'previous' }),
      ]);
      const again = await openTerminal(tw, 'alice', session.id, { terminalId: first.terminalId });
      await again.client.waitFor(/previous shell ended/);
      expect(again.client.text).toContain('before-restart-2');
      expect(again.client.text).toContain(
        '──── previous shell ended (the worker restarted); this is a new shell ────',
      );
      expect(tw.worker.terminals.get(first.terminalId)!.pid).not.toBe(oldPid);
      again.client.input('echo after-$((2+3))\r');
      await again.client.waitFor(/after-5\r\n/);
      await again.client.close();
      await tw.close();
    } finally {
      temp.cleanup();
    }
  });
});

describe('a shell that exited before a worker restart', () => {
  it('is said to have exited, with its code, not to have ended with the restart', async () => {
    const temp = makeTempDir('grove-exited-restart-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'));
    const dataDir = path.join(temp.dir, 'data');
    try {
      let tw = await startTestWorker({}, dataDir);
      const session = await createSession(tw, 'alice', repo);
      const first = await openTerminal(tw, 'alice', session.id);
      first.client.input('echo before-exit-$((1+1)); exit 5\r');
      await first.client.waitFor((c) => c.frames.some((f) => f.type === 'exit'));
      await first.client.close();
      await tw.close();

      tw = await startTestWorker({}, dataDir);
      const listed = (await (
        await tw.fetchAs('alice')(`/sessions/${session.id}/terminals`)
      ).json()) as { terminals: { id: string; status: string }[] };
      expect(listed.terminals).toEqual([
        expect.objectContaining({ id: first.terminalId, status: 'exited' }),
      ]);
      const again = await openTerminal(tw, 'alice', session.id, { terminalId: first.terminalId });
      await again.client.waitFor(/previous shell \w+/);
      expect(again.client.text).toContain('before-exit-2');
      expect(again.client.text).toContain(
        '──── previous shell exited with code 5; this is a new shell ────',
      );
      expect(again.client.text).not.toContain('worker restarted');
      await again.client.close();
      await tw.close();
    } finally {
      temp.cleanup();
    }
  });
});

describe('terminal HOME per user', () => {
  it("gives each user's shells a HOME of their own (history and dotfiles unshared)", async () => {
    const temp = makeTempDir('grove-homes-');
    const repo = createSourceRepo(path.join(temp.dir, 'origin'));
    const dataDir = path.join(temp.dir, 'data');
    const tw = await startTestWorker({ GROVE_TERMINAL_HOME: 'per-user' }, dataDir);
    try {
      const homeOf = async (user: string) => {
        const session = await createSession(tw, user, repo);
        const { client } = await openTerminal(tw, user, session.id);
        client.input('echo "home=$HOME" && touch ~/.mine && ls -a ~ | grep -c mine\r');
        await client.waitFor(/home=\S+\r\n\d+\r\n/);
        await client.close();
        return /home=(\S+)\r\n/.exec(client.text)![1]!;
      };
      const [iris, jon] = [await homeOf('iris'), await homeOf('jon')];
      expect(iris).not.toBe(jon);
      for (const home of [iris, jon]) {
        expect(path.dirname(home)).toBe(path.join(dataDir, 'homes'));
        expect(statSync(home).mode & 0o777).toBe(0o700);
      }
      // The same user gets the same HOME back (history stays theirs).
      expect(await homeOf('iris')).toBe(iris);
    } finally {
      await tw.close();
      tw.cleanup();
      temp.cleanup();
    }
  });
});
