import type { CloudFunction } from '../runtime/handler';
import { admin, daily } from './admin';
import { green } from './green';
import { mall } from './mall';
import { merchant } from './merchant';
import { order, payNotify, refundNotify } from './order';
import { outbox } from './outbox';
import { queue } from './queue';
import { settle } from './settle';
import { union } from './union';
import { user } from './user';
import { wallet } from './wallet';

/** Every cloud function by name: each is a folder under cloudfunctions/ bundling this code. */
export const FUNCTIONS = { user, mall, order, payNotify, refundNotify, settle, outbox, queue, union, green, wallet, merchant, admin, daily } satisfies Record<string, CloudFunction>;

/** The same, looked up by a name from outside (the gateway, the cloud entry, tests). */
export const FUNCTION_TABLE: Readonly<Record<string, CloudFunction>> = FUNCTIONS;
