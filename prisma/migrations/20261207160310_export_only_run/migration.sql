-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'crawl';

-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "exportPending" BOOLEAN NOT NULL DEFAULT false;
