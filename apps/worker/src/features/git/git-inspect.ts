import {
  diffSectionPath,
  DIFF_FILE_CAP_BYTES,
  DIFF_SINGLE_FILE_CAP_BYTES,
  DIFF_TOTAL_CAP_BYTES,
  type GitDiffResponse,
  type GitStatusResponse,
} from '@grove/contract';
import type { SimpleGit } from 'simple-git';

import { createGit, REMOTE_REFS, type GitEnvOptions } from '../../lib/git';
import type { SessionRow } from '../sessions/session-store';
import { aheadBehind, RAW_PATHS, withEverythingStaged } from './git-helpers';

type FileStatus = GitStatusResponse['files'][number]['status'];

const CONFLICT_CODES = new Set(['DD', 'AU', 'UD', 'UA', 'DU', 'AA', 'UU']);

/** Parses `git status --porcelain=v1 -z` into the contract's file list. */
export function parsePorcelain(out: string): GitStatusResponse['files'] {
  const parts = out.split('\0');
  const files: GitStatusResponse['files'] = [];
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i];
    if (!entry || entry.length < 4) continue;
    const code = entry.slice(0, 2);
    const file = entry.slice(3);
    let status: FileStatus;
    if (code === '??') status = 'untracked';
    else if (CONFLICT_CODES.has(code)) status = 'conflicted';
    else if (code.includes('R') || code.includes('C')) {
      status = 'renamed';
      i++; // the original path follows as its own field
    } else if (code[0] === 'A') status = 'added';
    else if (code.includes('D')) status = 'deleted';
    else status = 'modified';
    files.push({ path: file, status });
  }
  return files;
}

export async function readStatus(
  row: SessionRow,
  options: GitEnvOptions,
): Promise<GitStatusResponse> {
  const git = createGit(row.worktree_path, options);
  const [porcelain, counts] = await Promise.all([
    git.raw([...RAW_PATHS, 'status', '--porcelain=v1', '-z', '--untracked-files=all']),
    aheadBehind(git, row.base_branch),
  ]);
  return {
    branch: row.branch_name,
    baseBranch: row.base_branch,
    ...counts,
    behindBase: row.base_moved_at !== null || counts.behind > 0,
    files: parsePorcelain(porcelain),
  };
}

/** The path a `diff --git` section is about (new path; old path for a deletion). */
function sectionPath(section: string): string {
  const hunk = section.indexOf('\n@@');
  return diffSectionPath((hunk >= 0 ? section.slice(0, hunk) : section).split('\n'));
}

/** Cuts text to at most `cap` UTF-8 bytes, at a line end. */
function cutAtLine(text: string, cap: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= cap) return text;
  const cut = bytes.subarray(0, cap).toString('utf8');
  const lastNewline = cut.lastIndexOf('\n');
  return lastNewline > 0 ? cut.slice(0, lastNewline + 1) : '';
}

/** Splits a unified diff into its per-file sections. */
export function splitDiff(diff: string): string[] {
  return diff.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '));
}

/**
 * Caps a whole diff: each file at DIFF_FILE_CAP_BYTES, the total at DIFF_TOTAL_CAP_BYTES.
 * Cut or left-out files are flagged so the client asks for them one at a time.
 */
export function capDiff(raw: string): GitDiffResponse {
  const files: GitDiffResponse['files'] = [];
  let diff = '';
  let total = 0;
  let truncated = false;
  for (const section of splitDiff(raw)) {
    const bytes = Buffer.byteLength(section);
    let piece = section;
    let cut = false;
    if (bytes > DIFF_FILE_CAP_BYTES) {
      piece = cutAtLine(section, DIFF_FILE_CAP_BYTES);
      cut = true;
    }
    if (total + Buffer.byteLength(piece) > DIFF_TOTAL_CAP_BYTES) {
      piece = '';
      cut = true;
    }
    if (cut) truncated = true;
    diff += piece;
    total += Buffer.byteLength(piece);
    files.push({ path: sectionPath(section), truncated: cut, bytes });
  }
  return { diff, files, truncated };
}

/**
 * The unified diff of everything in the worktree (committed, staged, unstaged, untracked)
 * against where the session left its base branch (the merge base, as GitHub shows a PR).
 * With `file`, just that file, up to DIFF_SINGLE_FILE_CAP_BYTES: the way to load the rest.
 */
export async function readDiff(
  row: SessionRow,
  options: GitEnvOptions,
  file?: string,
): Promise<GitDiffResponse> {
  return withEverythingStaged(row.worktree_path, options, async (git: SimpleGit) => {
    const mergeBase = (
      await git.raw(['merge-base', `${REMOTE_REFS}/${row.base_branch}`, 'HEAD'])
    ).trim();
    const args = [
      ...RAW_PATHS,
      'diff',
      '--cached',
      '--no-color',
      '--no-ext-diff',
      '--find-renames',
      mergeBase,
    ];
    if (file === undefined) return capDiff(await git.raw(args));
    const raw = await git.raw([...args, '--', `:(literal)${file}`]);
    const bytes = Buffer.byteLength(raw);
    const truncated = bytes > DIFF_SINGLE_FILE_CAP_BYTES;
    return {
      diff: truncated ? cutAtLine(raw, DIFF_SINGLE_FILE_CAP_BYTES) : raw,
      files: raw ? [{ path: file, truncated, bytes }] : [],
      truncated,
    };
  });
}
