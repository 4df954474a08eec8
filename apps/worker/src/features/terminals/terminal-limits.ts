/** Every magic number of the terminal subsystem, named (after VS Code's terminal constants). */
export const TerminalLimits = {
  /** Unacknowledged bytes on any socket above which the PTY stops being read. */
  HighWatermarkBytes: 100_000,
  /** ...and below which (on every socket) it is read again. */
  LowWatermarkBytes: 5_000,
  /** Bytes queued in a socket's send buffer (TCP backpressure) above which the PTY is paused... */
  HighSocketBufferedBytes: 1024 * 1024,
  /** ...and below which it may be read again. */
  LowSocketBufferedBytes: 128 * 1024,
  /** While paused by a socket's send buffer, how often to look whether it drained. */
  DrainCheckMs: 10,
  /** Output of at most this many bytes per batch interval is sent at once, unbatched (typing). */
  InteractiveBytes: 4 * 1024,
  /** Output is gathered this long before a frame goes out... */
  BatchIntervalMs: 5,
  /**
   * ...or until this much is waiting, whichever comes first. Measured (CPU per MB of a flood,
   * bench/terminal.bench.ts): 32 KiB frames cost the client a third less than 16 KiB ones and
   * the worker no more; 64 KiB saves little more, and fewer than two such frames fit under
   * HighWatermarkBytes, so the PTY would wait on every ack.
   */
  BatchMaxBytes: 32 * 1024,
  /** A socket that holds the PTY paused this long without acknowledging is closed (it can resume). */
  SlowClientTimeoutMs: 30_000,
  /** Before a PTY is killed, its last output gets this long to arrive and be sent. */
  FlushBeforeKillMs: 200,
  /** Dirty scrollback is written to SQLite at most this often. */
  PersistIntervalMs: 2_000,
  /** How much scrollback survives a worker restart. */
  PersistedScrollbackBytes: 256 * 1024,
  /** WebSocket protocol pings; a socket that misses one is closed as dead. */
  SocketPingIntervalMs: 30_000,
  /** A frame larger than this is not even read into memory: the socket is closed (1009). */
  HardMaxFrameBytes: 8 * 1024 * 1024,
} as const;

/** WebSocket close codes Grove uses (4000–4999 are the application's). */
export const TerminalCloseCodes = {
  TooSlow: 4008,
  TerminalGone: 4004,
  ShuttingDown: 1001,
} as const;
