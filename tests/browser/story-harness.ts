/**
 * The names the catalogue, fulfilment and payouts stories were written with, over the one browser
 * harness (harness.ts): a story is a session, its helpers are the session's page helpers.
 */
import { openSession, pageHelpers, type Session } from './harness'

export { BANNED, CHROMIUM, H5_ROOT, REPO, SHOTS, startGateway, type Gateway } from './harness'

export type Story = Session

/** A fresh gateway (no demo data, `admin` as the platform admin) and a phone-sized Chromium page on it. */
export const openStory = (admin: string): Promise<Story> => openSession(admin)

/** Page helpers bound to one story. */
export const helpers = (s: Story) => pageHelpers(() => s)
