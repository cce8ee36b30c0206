-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "urlsWritten" INTEGER;
