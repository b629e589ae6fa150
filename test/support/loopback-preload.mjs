// Standalone form of loopback-only.ts for child processes: `node --import ./test/support/loopback-preload.mjs ...`.
// Servers that call listen(port) or listen() without a host (the Bluesky dev-env's do) are bound to 127.0.0.1,
// so nothing a test starts listens beyond loopback. Safe to load more than once.
import net from 'node:net';

const marker = Symbol.for('heraut.loopbackOnly');

if (!net.Server.prototype.listen[marker]) {
  const originalListen = net.Server.prototype.listen;
  const listen = function listen(...args) {
    const first = args[0];
    if ((typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) && (args.length === 1 || typeof args[1] === 'function' || typeof args[1] === 'number' || args[1] === undefined)) {
      args.splice(1, args[1] === undefined && args.length > 1 ? 1 : 0, '127.0.0.1');
    } else if (first === undefined || typeof first === 'function') {
      if (first === undefined && args.length > 0) args.shift();
      args.unshift(0, '127.0.0.1');
    } else if (typeof first === 'object' && first !== null && !('path' in first) && !('fd' in first) && !('handle' in first) && !('_handle' in first) && first.host === undefined) {
      args[0] = { ...first, host: '127.0.0.1' };
    }
    return originalListen.apply(this, args);
  };
  listen[marker] = true;
  net.Server.prototype.listen = listen;
}
