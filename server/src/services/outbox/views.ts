import type { OutboxDoc } from '../../repo/documents';

/** A message as admins see it (dead letters with their error and when it was tried). */
export function outboxView(m: OutboxDoc) {
  return {
    messageId: m._id,
    kind: m.kind,
    key: m.key ?? null,
    userId: m.userId,
    status: m.status,
    attempts: m.attempts ?? 0,
    nextAt: m.nextAt ?? null,
    error: m.error,
    errors: m.errors ?? [],
    data: m.data,
    result: m.result ?? null,
    createdAt: m.createdAt,
    sentAt: m.sentAt,
    ...(m.messages ? { bundled: m.messages.length } : {}),
  };
}
