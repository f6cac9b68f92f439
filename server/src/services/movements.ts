/** The value movements of one business event live in the pure engine (the settlement planner builds them too). */
export { Movements } from '../engine/ledger/movements';
