-- CreateTable
CREATE TABLE "CrawlLinkStat" (
    "runId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "inlinks" INTEGER NOT NULL DEFAULT 0,
    "linked" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "CrawlLinkStat_pkey" PRIMARY KEY ("runId","url")
);

-- CreateTable
CREATE TABLE "CrawlStepState" (
    "runId" TEXT NOT NULL,
    "stepsDone" INTEGER NOT NULL DEFAULT 0,
    "openStep" INTEGER,
    "interrupted" BOOLEAN NOT NULL DEFAULT false,
    "start" JSONB,

    CONSTRAINT "CrawlStepState_pkey" PRIMARY KEY ("runId")
);

-- AddForeignKey
ALTER TABLE "CrawlLinkStat" ADD CONSTRAINT "CrawlLinkStat_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrawlStepState" ADD CONSTRAINT "CrawlStepState_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
