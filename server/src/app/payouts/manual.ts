import type { PayoutPort } from '../../runtime/payout';

/**
 * Manual payout: the platform pays by bank or other transfer outside the system, then an admin
 * records the reference (admin.confirmPayout), which is the confirmation. Nothing is called; the
 * payout simply waits in state MANUAL. Cancelling is always possible before the record.
 */
export function manualPayout(): PayoutPort {
  return {
    method: 'manual',
    async start() {
      return { state: 'MANUAL' };
    },
    async check() {
      return { state: 'MANUAL' };
    },
    async cancel() {
      return { state: 'CANCELLED' };
    },
  };
}
