import type { ErrorCode } from '../../../shared/contract';

/**
 * Error codes of the public interface (SPEC §8). Expected business failures are thrown as
 * AppError with a stable code and a message a shopper can read; anything else is a bug or an
 * infrastructure failure and is answered as INTERNAL without leaking details.
 */
export const ERROR_CODES = {
  INVALID_INPUT: '输入有误',
  INVALID_AMOUNT: '金额不正确',
  NOT_FOUND: '找不到该记录',
  FORBIDDEN: '没有权限',
  CONFLICT: '状态已变化，请刷新后重试',
  LIMIT_REACHED: '已达到次数上限',
  LOTTERY_USED: '已经抽过奖了',
  INSUFFICIENT_BALANCE: '余额不足',
  CONFIG_INVALID: '设置不合规',
  INTERNAL: '系统繁忙，请稍后再试',
} as const satisfies Record<ErrorCode, string>;

/** The codes are the contract's (shared/contract.ts). */
export type { ErrorCode };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'AppError';
  }
}

export const fail = (code: ErrorCode, message?: string): never => {
  throw new AppError(code, message);
};

export type Result<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };
