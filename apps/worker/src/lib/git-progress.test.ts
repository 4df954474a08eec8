import { describe, expect, it } from 'vitest';

import { progressStage } from './git';

describe('progressStage', () => {
  it("names the remote's own progress lines as preparing, and keeps git's stages", () => {
    expect(progressStage('remote:')).toBe('preparing');
    for (const stage of ['counting', 'compressing', 'receiving', 'resolving'])
      expect(progressStage(stage)).toBe(stage);
  });
});
