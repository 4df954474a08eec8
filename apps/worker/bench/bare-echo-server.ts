/**
 * The floor for keystroke echo: a bare WebSocket → PTY → WebSocket pipe with no protocol,
 * no batching, no bookkeeping. Prints its port; the benchmark compares Grove against it.
 */
import type { AddressInfo } from 'node:net';

import * as pty from 'node-pty';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  const shell = pty.spawn(process.env.BENCH_SHELL ?? '/bin/bash', ['-l'], {
    name: 'xterm-256color',
    cols: 80,
    rows: 24,
    cwd: process.env.BENCH_CWD ?? process.cwd(),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    },
  });
  shell.onData((data) => ws.send(data));
  ws.on('message', (data) => shell.write((data as Buffer).toString('utf8')));
  ws.on('close', () => shell.kill());
});
wss.on('listening', () => {
  console.log(`bare echo listening on ${(wss.address() as AddressInfo).port}`);
});
