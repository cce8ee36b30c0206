-- AlterEnum
ALTER TYPE "RunTrigger" ADD VALUE 'import';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "number" SERIAL NOT NULL,
ADD COLUMN     "scheduledFor" TIMESTAMP(3),
ADD COLUMN     "subScopes" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "defaultChangefreq" TEXT,
ADD COLUMN     "defaultPriority" DOUBLE PRECISION,
ADD COLUMN     "excludeNoindex" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "exportAfterImport" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "exportCharset" TEXT NOT NULL DEFAULT 'utf-8',
ADD COLUMN     "exportCron" TEXT,
ADD COLUMN     "exportPlan" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "followNofollow" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "indexNowKey" TEXT,
ADD COLUMN     "lastmod" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "lastmodSource" TEXT NOT NULL DEFAULT 'content',
ADD COLUMN     "number" SERIAL NOT NULL,
ADD COLUMN     "priorityMode" TEXT NOT NULL DEFAULT 'off',
ADD COLUMN     "respectCanonical" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "subScopes" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "templateId" TEXT,
ADD COLUMN     "timezone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "writeIntoRobots" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "SitemapUrl" (
    "id" TEXT NOT NULL,
    "sitemapId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "priority" DOUBLE PRECISION,
    "changefreq" TEXT,
    "lastmod" TIMESTAMP(3),
    "source" TEXT NOT NULL DEFAULT 'api',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SitemapUrl_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Template" (
    "id" TEXT NOT NULL,
    "number" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Template_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Feed" (
    "id" TEXT NOT NULL,
    "number" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "foundUrl" TEXT NOT NULL,
    "linkMask" TEXT NOT NULL DEFAULT '',
    "maskSyntax" TEXT NOT NULL DEFAULT 'glob',
    "itemsLimit" INTEGER NOT NULL DEFAULT 20,
    "pubDateSource" TEXT NOT NULL DEFAULT 'page',
    "format" TEXT NOT NULL DEFAULT 'rss',
    "channelTitle" TEXT,
    "channelImage" TEXT,
    "webmaster" TEXT,
    "encoding" TEXT NOT NULL DEFAULT 'utf-8',
    "templateId" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL DEFAULT 'idle',
    "lastRefreshAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastCost" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Feed_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FeedItem" (
    "feedId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "pubDate" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "position" INTEGER,

    CONSTRAINT "FeedItem_pkey" PRIMARY KEY ("feedId","url")
);

-- CreateTable
CREATE TABLE "Submission" (
    "id" TEXT NOT NULL,
    "sitemapId" TEXT NOT NULL,
    "runId" TEXT,
    "batchId" TEXT NOT NULL,
    "engine" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "httpStatus" INTEGER,
    "urlCount" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "message" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "secretEncrypted" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SchedulerSlot" (
    "slot" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "runsStarted" INTEGER NOT NULL DEFAULT 0,
    "feedsRefreshed" INTEGER NOT NULL DEFAULT 0,
    "missed" BOOLEAN NOT NULL DEFAULT false,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "SchedulerSlot_pkey" PRIMARY KEY ("slot")
);

-- CreateIndex
CREATE INDEX "SitemapUrl_sitemapId_createdAt_idx" ON "SitemapUrl"("sitemapId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SitemapUrl_sitemapId_url_key" ON "SitemapUrl"("sitemapId", "url");

-- CreateIndex
CREATE UNIQUE INDEX "Template_number_key" ON "Template"("number");

-- CreateIndex
CREATE INDEX "Template_userId_createdAt_idx" ON "Template"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Feed_number_key" ON "Feed"("number");

-- CreateIndex
CREATE INDEX "Feed_userId_createdAt_idx" ON "Feed"("userId", "createdAt");

-- CreateIndex
CREATE INDEX "FeedItem_feedId_position_idx" ON "FeedItem"("feedId", "position");

-- CreateIndex
CREATE INDEX "Submission_sitemapId_createdAt_idx" ON "Submission"("sitemapId", "createdAt");

-- CreateIndex
CREATE INDEX "Submission_batchId_idx" ON "Submission"("batchId");

-- CreateIndex
CREATE INDEX "Webhook_userId_idx" ON "Webhook"("userId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_webhookId_createdAt_idx" ON "WebhookDelivery"("webhookId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Run_number_key" ON "Run"("number");

-- CreateIndex
CREATE UNIQUE INDEX "Sitemap_number_key" ON "Sitemap"("number");

-- AddForeignKey
ALTER TABLE "Sitemap" ADD CONSTRAINT "Sitemap_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SitemapUrl" ADD CONSTRAINT "SitemapUrl_sitemapId_fkey" FOREIGN KEY ("sitemapId") REFERENCES "Sitemap"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Template" ADD CONSTRAINT "Template_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feed" ADD CONSTRAINT "Feed_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Feed" ADD CONSTRAINT "Feed_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FeedItem" ADD CONSTRAINT "FeedItem_feedId_fkey" FOREIGN KEY ("feedId") REFERENCES "Feed"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Submission" ADD CONSTRAINT "Submission_sitemapId_fkey" FOREIGN KEY ("sitemapId") REFERENCES "Sitemap"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
