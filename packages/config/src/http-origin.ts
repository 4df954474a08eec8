/**
 * `http://host:port` for a host as it is configured (HOST, WORKER_HOST): an IPv6 address goes
 * in brackets (`::1` → `http://[::1]:3000`), as a URL needs it.
 */
export function httpOrigin(host: string, port: number | string): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${bracketed}:${port}`;
}
