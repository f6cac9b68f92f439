import { col, s, type Tx } from '../../repo/db';
import type { OutboxDoc } from '../../repo/documents';
import { newId } from '../../repo/ids';
import { noteQueued } from './signal';

/**
 * Writing to the outbox: inside the business event's transaction, so a retried or aborted event
 * leaves nothing behind and a committed one always leaves its messages, which a dispatcher sends
 * after the answer (dispatch.ts). Nothing here calls WeChat.
 */

export interface QueueOptions {
  /**
   * The idempotency key WeChat honours for the call (a refund number, a transfer bill number). Also
   * the message's id (`<kind>:<key>`), so the same business event cannot queue the same call twice.
   */
  key?: string;
  /** not before this (default: at once) */
  notBefore?: Date;
}

export async function queueOutbox(tx: Tx, userId: string, kind: string, data: Record<string, string>, opts: QueueOptions = {}): Promise<string> {
  const _id = opts.key ? `${kind}:${opts.key}` : newId('M');
  await col(tx.db, 'outbox').insertOne(
    { _id, userId, openid: '', kind, data, key: opts.key ?? null, status: 'pending', attempts: 0, nextAt: opts.notBefore ?? tx.now, lease: null, leaseUntil: null, createdAt: tx.now, sentAt: null, error: null },
    s(tx),
  );
  tx.afterCommit(async () => noteQueued());
  return _id;
}

/** Many messages of one transaction (the settler's batch) as one bundle document, split when dispatched. */
export async function queueMessages(tx: Tx, messages: NonNullable<OutboxDoc['messages']>): Promise<void> {
  if (messages.length === 0) return;
  if (messages.length === 1) {
    await queueOutbox(tx, messages[0]!.userId, messages[0]!.kind, messages[0]!.data);
    return;
  }
  await col(tx.db, 'outbox').insertOne(
    { _id: newId('M'), userId: '', openid: '', kind: 'bundle', data: {}, messages, key: null, status: 'pending', attempts: 0, nextAt: tx.now, lease: null, leaseUntil: null, createdAt: tx.now, sentAt: null, error: null },
    s(tx),
  );
  tx.afterCommit(async () => noteQueued());
}
