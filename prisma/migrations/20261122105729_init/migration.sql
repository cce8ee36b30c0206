-- CreateEnum
CREATE TYPE "RunStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "RunTrigger" AS ENUM ('dashboard', 'api', 'schedule', 'cli');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "lastFour" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sitemap" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "startUrl" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "maxFileEntries" INTEGER NOT NULL DEFAULT 50000,
    "maxFileSize" INTEGER NOT NULL DEFAULT 52428800,
    "gzip" BOOLEAN NOT NULL DEFAULT false,
    "maxPages" INTEGER NOT NULL DEFAULT 10000,
    "maxDepth" INTEGER NOT NULL DEFAULT 50,
    "concurrency" INTEGER NOT NULL DEFAULT 8,
    "userAgent" TEXT,
    "respectRobots" BOOLEAN NOT NULL DEFAULT true,
    "publishedRunId" TEXT,
    "activeRunId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Sitemap_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "sitemapId" TEXT NOT NULL,
    "status" "RunStatus" NOT NULL DEFAULT 'queued',
    "trigger" "RunTrigger" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "pagesFetched" INTEGER NOT NULL DEFAULT 0,
    "pagesQueued" INTEGER NOT NULL DEFAULT 0,
    "urlsListed" INTEGER NOT NULL DEFAULT 0,
    "urlsExcluded" INTEGER NOT NULL DEFAULT 0,
    "excludedByReason" JSONB NOT NULL DEFAULT '{}',
    "bytesWritten" BIGINT NOT NULL DEFAULT 0,
    "filesWritten" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RunUrl" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" INTEGER,
    "included" BOOLEAN NOT NULL,
    "reason" TEXT,
    "lastmod" TIMESTAMP(3),
    "depth" INTEGER NOT NULL DEFAULT 0,
    "target" TEXT,

    CONSTRAINT "RunUrl_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SitemapFile" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "sitemapId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "urlCount" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SitemapFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobRun" (
    "id" TEXT NOT NULL,
    "fnId" TEXT NOT NULL,
    "event" JSONB NOT NULL,
    "steps" JSONB NOT NULL DEFAULT '{}',
    "stack" JSONB NOT NULL DEFAULT '[]',
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "wakeAt" TIMESTAMP(3),
    "pendingStep" TEXT,
    "output" JSONB,
    "error" JSONB,
    "concurrencyKey" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JobRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Sitemap_activeRunId_key" ON "Sitemap"("activeRunId");

-- CreateIndex
CREATE INDEX "Sitemap_userId_createdAt_idx" ON "Sitemap"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Sitemap_userId_fileName_key" ON "Sitemap"("userId", "fileName");

-- CreateIndex
CREATE INDEX "Run_sitemapId_createdAt_idx" ON "Run"("sitemapId", "createdAt");

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

-- CreateIndex
CREATE INDEX "RunUrl_runId_included_idx" ON "RunUrl"("runId", "included");

-- CreateIndex
CREATE UNIQUE INDEX "RunUrl_runId_url_key" ON "RunUrl"("runId", "url");

-- CreateIndex
CREATE INDEX "SitemapFile_sitemapId_idx" ON "SitemapFile"("sitemapId");

-- CreateIndex
CREATE UNIQUE INDEX "SitemapFile_runId_name_key" ON "SitemapFile"("runId", "name");

-- CreateIndex
CREATE INDEX "JobRun_status_wakeAt_idx" ON "JobRun"("status", "wakeAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sitemap" ADD CONSTRAINT "Sitemap_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sitemapId_fkey" FOREIGN KEY ("sitemapId") REFERENCES "Sitemap"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunUrl" ADD CONSTRAINT "RunUrl_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SitemapFile" ADD CONSTRAINT "SitemapFile_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SitemapFile" ADD CONSTRAINT "SitemapFile_sitemapId_fkey" FOREIGN KEY ("sitemapId") REFERENCES "Sitemap"("id") ON DELETE CASCADE ON UPDATE CASCADE;
