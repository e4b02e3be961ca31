// Judges every answer of the load loop against the row in force when its call started: healthy
// between rows, "either" in the grace time after injecting and until recovery, the row's sets
// (and latency bound) while the fault lasts, healthy again once recovered.
import { either, HEALTHY, violation } from './expectations.mjs';

export class Recorder {
  constructor() {
    this.rows = [];
    this.current = undefined;
    this.between = { name: 'healthy (between faults)', counts: {}, violations: [] };
  }

  /** Starts judging against `row` (from ROWS) under `name`; returns the row's record. */
  begin(name, row) {
    const record = { name, row, counts: {}, violations: [], injectedAt: Date.now() };
    this.rows.push(record);
    this.current = record;
    return record;
  }

  removed() {
    this.current.removedAt ??= Date.now();
  }

  recovered(recoveryMs) {
    this.current.recoveryMs = recoveryMs;
    this.current.recoveredAt = Date.now();
  }

  /** Calls started from now on are judged as healthy again. */
  end() {
    this.current = undefined;
  }

  /** The allowed sets and latency bound for a call started at `startedAt`, ended at `endedAt`. */
  rulesFor(record, startedAt, endedAt) {
    const { row, injectedAt, removedAt, recoveredAt } = record;
    const inGrace = startedAt < injectedAt + row.graceMs;
    const afterRemoval = removedAt !== undefined && endedAt >= removedAt;
    if (recoveredAt !== undefined && startedAt >= recoveredAt) return { allowed: HEALTHY };
    if (afterRemoval && row.afterRemoval) {
      const allowed = either(either(HEALTHY, row.allowed), { ...HEALTHY, ...row.afterRemoval });
      return { allowed, latencyMs: row.latencyMs };
    }
    if (inGrace || afterRemoval)
      return { allowed: either(HEALTHY, row.allowed), latencyMs: row.latencyMs };
    return { allowed: row.allowed, latencyMs: row.latencyMs };
  }

  record(kind, answer, startedAt) {
    const endedAt = Date.now();
    const record = this.current ?? this.between;
    const rules = this.current ? this.rulesFor(record, startedAt, endedAt) : { allowed: HEALTHY };
    const counts = (record.counts[kind] ??= {});
    counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    if (typeof answer.status === 'number')
      record.slowestMs = Math.max(record.slowestMs ?? 0, Math.round(answer.ms));
    const why =
      violation(kind, answer, rules.allowed, rules.latencyMs) ??
      record.judge?.(kind, answer, startedAt, record);
    if (why) {
      const at = record.injectedAt
        ? `${((startedAt - record.injectedAt) / 1000).toFixed(1)} s`
        : '';
      record.violations.push(`${kind} ${why}${at ? ` (started ${at} after injecting)` : ''}`);
    }
  }

  /** A check of the row itself (readiness, metrics, usage) that failed. */
  fail(message, record = this.current ?? this.between) {
    record.violations.push(message);
  }
}

/** `200×41 503×12` for one kind's counts. */
export function summarize(counts) {
  return Object.entries(counts)
    .sort(([a], [b]) => String(a).localeCompare(String(b)))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}
