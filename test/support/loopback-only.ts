// Servers started by tests (ours and the Bluesky dev-env's) bind to 127.0.0.1 unless they name a host.
import './loopback-preload.mjs';
