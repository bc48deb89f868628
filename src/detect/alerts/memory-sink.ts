import type { Alert } from '../types.js';
import { AlertSink } from './sink.js';

/** Keeps the alerts in memory, in the order they were raised (the demo's scoring, tests). */
export class MemoryAlertSink extends AlertSink {
  readonly alerts: Alert[] = [];

  constructor(readonly name = 'memory') {
    super();
  }

  async write(alert: Alert): Promise<void> {
    this.alerts.push(alert);
    this.delivered++;
  }
}
