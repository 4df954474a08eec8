/**
 * The flood client as its own process, forked by terminal.bench.ts and set to idle priority:
 * on a one-machine benchmark it stands for a browser on another machine, taking only the CPU
 * the producer and the worker leave free (it still receives every byte and acks every frame,
 * so the worker's flow control applies as it would). Parent → child: `{ round }`;
 * child → parent: `ready`, then `{ bytes, seconds }` per round.
 *
 *   (forked by terminal.bench.ts with the terminal's WebSocket URL as argv[2])
 */
import { Client, floodOnce, PROMPT } from './terminal-client';

const url = process.argv[2];
if (!url || !process.send) throw new Error('fork me with an IPC channel and a WebSocket URL');
const client = await Client.open(url);
await client.until(() => client.tail.endsWith(PROMPT));
process.on('message', (message: { round: number }) => {
  void floodOnce(client, message.round).then((result) => process.send!(result));
});
process.on('disconnect', () => {
  client.ws.close();
  process.exit(0);
});
process.send('ready');
