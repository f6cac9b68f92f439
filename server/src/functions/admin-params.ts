import { z } from 'zod';
import { amount, id, nonNegativeAmount } from '../runtime/params';
import { imageRef } from '../runtime/images';
import { MAX_PRODUCT_IMAGES } from '../services/catalog';

/** Product fields shared by admin.upsertProduct and merchant.upsertStoreProduct. Settings are validated by the compliance guard. */
export const productFields = {
  productId: id.optional(),
  name: z.string().trim().min(1).max(60),
  description: z.string().max(1000).optional(),
  /** the cover alone (kept for older clients); `images` is the whole list, cover first */
  imageUrl: imageRef.optional(),
  images: z.array(imageRef.refine((v) => v !== '', '图片地址不能为空')).max(MAX_PRODUCT_IMAGES).optional(),
  categoryId: id.nullable().optional(),
  priceFen: amount(100_000_000),
  costFen: nonNegativeAmount(100_000_000),
  stock: z.number().int().min(0).max(1_000_000),
  listed: z.boolean().optional(),
  rebate: z.unknown().optional(),
  lockDays: z.number().nullable().optional(),
  maxDeductBp: z.number().int().min(0).max(10_000).optional(),
};
