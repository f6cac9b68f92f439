import type { OutboxDoc } from '../../repo/documents';
import { payoutCallKind, PAYOUT_CALL } from '../payouts';
import { legacyRefundKind, refundCallKind, REFUND_CALL } from '../refunds';
import { shippingUploadKind, SHIPPING_UPLOAD } from '../fulfilment';
import type { OutboxKind } from './kinds';
import { MESSAGE_OUTBOX_KINDS } from './messages';

/**
 * Every kind the outbox knows (how to add one: kinds.ts). Subscribe messages are named by what
 * they tell (payout, completed, lottery, exit, refund, withdrawal); calls that move money by the
 * API they call.
 */
export const KINDS: Readonly<Record<string, OutboxKind>> = {
  ...MESSAGE_OUTBOX_KINDS,
  [REFUND_CALL]: refundCallKind,
  [PAYOUT_CALL]: payoutCallKind,
  [SHIPPING_UPLOAD]: shippingUploadKind,
};

export function kindOf(msg: Pick<OutboxDoc, 'kind' | 'data'>): OutboxKind | null {
  // before refunds were tracked, the WeChat Pay refund call was queued as kind `refund` with its number in data
  if (msg.kind === 'refund' && msg.data.refundId) return legacyRefundKind;
  return Object.prototype.hasOwnProperty.call(KINDS, msg.kind) ? KINDS[msg.kind]! : null;
}

/** Every kind name an outbox document may carry (the registry's, bundles, and the legacy refund call). */
export const OUTBOX_KIND_NAMES = [...new Set([...Object.keys(KINDS), 'bundle', 'refund'])] as [string, ...string[]];
