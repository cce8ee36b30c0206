import { describe, expect, it } from "vitest";
import { testBackends, useTestDb } from "@/tests/helpers/db";
import { createUser, findUserByEmail, verifyUserPassword } from "./users";

for (const backend of testBackends()) {
  describe(`lib/db/users on ${backend.name}`, () => {
    useTestDb(backend);

    it("creates, finds (any case) and verifies passwords", async () => {
      const u = await createUser({ email: "Mixed@Example.com", password: "password1", name: "M" });
      expect(u).toMatchObject({ email: "mixed@example.com", name: "M" });
      expect(await findUserByEmail("MIXED@example.com")).toEqual(u);
      expect(await verifyUserPassword(" mixed@example.com ", "password1")).toEqual(u);
      expect(await verifyUserPassword("mixed@example.com", "Password1")).toBeNull();
      expect(await verifyUserPassword("nobody@example.com", "password1")).toBeNull();
    });

    it("a taken email is AppError duplicate_entry on email", async () => {
      await createUser({ email: "dup@example.com", password: "password1" });
      await expect(createUser({ email: "DUP@example.com", password: "password2" })).rejects.toMatchObject({ code: "duplicate_entry", field: "email" });
    });
  });
}
