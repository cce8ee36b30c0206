/**
 * Prisma's generated input types of every model a list endpoint pages, paired for the list grammar's `ListSpec<M>`
 * (lib/api/list-query.ts): `where` is the model's `WhereInput`, `orderBy` its `OrderByWithRelationInput`. Typing a
 * spec with one of these makes its `column`s model fields and its parsed where/orderBy valid `findMany` arguments.
 * Type-only: the one place outside lib/db's queries that needs Prisma's names imports them from here.
 */
import type { Prisma } from "@/generated/prisma/client";

export type SitemapList = { where: Prisma.SitemapWhereInput; orderBy: Prisma.SitemapOrderByWithRelationInput };
export type RunList = { where: Prisma.RunWhereInput; orderBy: Prisma.RunOrderByWithRelationInput };
export type RunChangeList = { where: Prisma.RunChangeWhereInput; orderBy: Prisma.RunChangeOrderByWithRelationInput };
export type RunUrlList = { where: Prisma.RunUrlWhereInput; orderBy: Prisma.RunUrlOrderByWithRelationInput };
export type SitemapUrlList = { where: Prisma.SitemapUrlWhereInput; orderBy: Prisma.SitemapUrlOrderByWithRelationInput };
export type TemplateList = { where: Prisma.TemplateWhereInput; orderBy: Prisma.TemplateOrderByWithRelationInput };
export type FeedList = { where: Prisma.FeedWhereInput; orderBy: Prisma.FeedOrderByWithRelationInput };
export type ApiKeyList = { where: Prisma.ApiKeyWhereInput; orderBy: Prisma.ApiKeyOrderByWithRelationInput };
export type SubmissionList = { where: Prisma.SubmissionWhereInput; orderBy: Prisma.SubmissionOrderByWithRelationInput };
export type WebhookList = { where: Prisma.WebhookWhereInput; orderBy: Prisma.WebhookOrderByWithRelationInput };
export type WebhookDeliveryList = { where: Prisma.WebhookDeliveryWhereInput; orderBy: Prisma.WebhookDeliveryOrderByWithRelationInput };
export type RunAuditFindingList = { where: Prisma.RunAuditFindingWhereInput; orderBy: Prisma.RunAuditFindingOrderByWithRelationInput };
