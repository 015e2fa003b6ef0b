// How a worker lives and dies with its driver, set before anything else of the worker loads (main.ts imports
// this first; a worker booting under load spends a while importing DuckDB).
//
// If the driver dies (killed, crashed), die too: an orphan must not commit a step nobody will log, nor keep
// the database locked against the next run. Dying mid-transaction rolls the step back. The IPC channel closes
// when the driver's process ends, however it ends, on Linux, macOS and Windows.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.channel?.unref();
// The driver decides what a signal means (it stops this worker, rolled back, and logs the run as
// interrupted); a worker that died of a signal on its own would look like something outside ducksteps had
// killed it. Workers have a process group of their own (worker-process.ts), so Ctrl-C reaches only the
// driver; `systemctl stop` signals every process of the service, this one too.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);

export {};
