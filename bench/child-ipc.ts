import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * Lets bench/api.ts ask a server process for its CPU time and to CPU-profile exactly the measured
 * window (not start-up), over the IPC channel it was spawned with.
 */
export function answerBenchMessages() {
  let session: Session | null = null;
  process.on('message', (m: { type: string; file?: string }) => {
    void (async () => {
      if (m.type === 'cpu') {
        const u = process.cpuUsage();
        process.send!({ type: 'cpu', micros: u.user + u.system });
      } else if (m.type === 'profile-start') {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
        process.send!({ type: 'profile-started' });
      } else if (m.type === 'profile-stop' && session && m.file) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(m.file, JSON.stringify(profile));
        session.disconnect();
        session = null;
        process.send!({ type: 'profile-written' });
      }
    })();
  });
}
