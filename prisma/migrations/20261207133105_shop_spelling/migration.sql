-- AlterTable
ALTER TABLE "Sitemap" ADD COLUMN     "shopSpelling" JSONB NOT NULL DEFAULT '{}';
