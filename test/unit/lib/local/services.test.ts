import net from 'node:net';
import { freePorts } from '../../../../lib/local/services';

test('freePorts hands out distinct loopback ports that are free to listen on', async () => {
  const ports = await freePorts(20);
  expect(new Set(ports).size).toBe(20);
  // every one can be bound right away (the probes were closed)
  const servers = await Promise.all(
    ports.map(
      (p) =>
        new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(p, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  expect(servers.map((s) => (s.address() as net.AddressInfo).port)).toEqual(ports);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});
