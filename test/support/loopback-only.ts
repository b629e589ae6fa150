import net from 'node:net';

// Servers started by tests (ours and the Bluesky dev-env's) default to listen(port) on every interface.
// Bind them to loopback unless a host was given, so no test ever listens beyond 127.0.0.1.
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(this: net.Server, ...args: unknown[]) {
  const first = args[0];
  if (typeof first === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, '127.0.0.1');
  } else if (first === undefined || (typeof first === 'function')) {
    args.unshift(0, '127.0.0.1');
  } else if (typeof first === 'object' && first !== null && !('host' in first) && !('path' in first) && !('fd' in first)) {
    args[0] = { ...first, host: '127.0.0.1' };
  }
  return (originalListen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
