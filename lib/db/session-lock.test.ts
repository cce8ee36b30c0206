/**
 * tryHoldSessionLock: on PostgreSQL (TEST_DATABASE_URL) the lock lives on a connection of its own, so it outlives the
 * Prisma client's pool (which closes idle connections, and with them any lock taken on them), is refused to every
 * other session until released, and reports its loss when its connection is killed. On PGlite it is taken through
 * the client.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "./client";
import { tryHoldSessionLock } from "./session-lock";
import { testBackends, useTestDb } from "@/tests/helpers/db";

const uid = () => Math.random().toString(36).slice(2, 10);

for (const backend of testBackends()) {
  describe(`tryHoldSessionLock on ${backend.name}`, () => {
    const t = useTestDb(backend);

    it("is held by one holder until released, then another takes it", async () => {
      const name = `test-hold-${uid()}`;
      const first = await tryHoldSessionLock(t.db, name);
      expect(first).not.toBeNull();
      if (backend.name === "postgres") {
        const other = createDb(t.url).db;
        try {
          expect(await tryHoldSessionLock(other, name)).toBeNull();
          await first!.release();
          const second = await tryHoldSessionLock(other, name);
          expect(second).not.toBeNull();
          await second!.release();
        } finally {
          await other.$disconnect();
        }
      } else {
        await first!.release();
        const again = await tryHoldSessionLock(t.db, name);
        expect(again).not.toBeNull();
        await again!.release();
      }
    });

    if (backend.name === "postgres") {
      it("stays held when the Prisma client that took it closes its pool", async () => {
        const name = `test-pool-${uid()}`;
        const a = createDb(t.url).db;
        const held = await tryHoldSessionLock(a, name);
        expect(held).not.toBeNull();
        await a.$disconnect(); // every pooled connection closed, as pg-pool does after 10 s idle
        const b = createDb(t.url).db;
        try {
          expect(await tryHoldSessionLock(b, name)).toBeNull();
        } finally {
          await held!.release();
          await b.$disconnect();
        }
      });

      it("calls onLost once when its connection is killed, and the lock is then free", async () => {
        const name = `test-lost-${uid()}`;
        let lost = 0;
        const held = await tryHoldSessionLock(t.db, name, () => lost++);
        expect(held).not.toBeNull();
        const killed = await t.db.$queryRaw<{ n: number }[]>`
          SELECT count(pg_terminate_backend(l.pid))::int AS n FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.objid = hashtext(${name})::oid AND l.granted`;
        expect(killed[0].n).toBe(1);
        for (let i = 0; i < 100 && lost === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(lost).toBe(1);
        const next = await tryHoldSessionLock(t.db, name);
        expect(next).not.toBeNull();
        await next!.release();
        await held!.release();
        expect(lost).toBe(1);
      });
    }
  });
}
