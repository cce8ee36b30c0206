-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "urlsAdded" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "urlsChanged" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "urlsRemoved" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "RunUrl" ADD COLUMN     "contentHash" TEXT,
ADD COLUMN     "data" JSONB;

-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "authEncrypted" TEXT,
ADD COLUMN     "extraFormats" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "hreflang" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "imageHosts" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "images" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "importRobotsSitemaps" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "maxUrlLength" INTEGER NOT NULL DEFAULT 2047,
ADD COLUMN     "news" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "newsLanguage" TEXT,
ADD COLUMN     "newsPublicationName" TEXT,
ADD COLUMN     "queryAllowlist" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "queryPolicy" TEXT NOT NULL DEFAULT 'keep',
ADD COLUMN     "renderJs" TEXT NOT NULL DEFAULT 'off',
ADD COLUMN     "respectCrawlDelay" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "rules" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "trailingSlash" TEXT NOT NULL DEFAULT 'keep',
ADD COLUMN     "video" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "xslStylesheet" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "RunChange" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "kind" TEXT NOT NULL,

    CONSTRAINT "RunChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrawlFrontier" (
    "runId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "depth" INTEGER NOT NULL,
    "seq" BIGSERIAL NOT NULL,

    CONSTRAINT "CrawlFrontier_pkey" PRIMARY KEY ("runId","url")
);

-- CreateTable
CREATE TABLE "PageState" (
    "sitemapId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "hashFirstSeenAt" TIMESTAMP(3) NOT NULL,
    "etag" TEXT,
    "lastModified" TEXT,
    "snapshot" JSONB,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PageState_pkey" PRIMARY KEY ("sitemapId","url")
);

-- CreateIndex
CREATE INDEX "RunChange_runId_kind_idx" ON "RunChange"("runId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "RunChange_runId_url_key" ON "RunChange"("runId", "url");

-- CreateIndex
CREATE INDEX "CrawlFrontier_runId_seq_idx" ON "CrawlFrontier"("runId", "seq");

-- AddForeignKey
ALTER TABLE "RunChange" ADD CONSTRAINT "RunChange_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrawlFrontier" ADD CONSTRAINT "CrawlFrontier_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
