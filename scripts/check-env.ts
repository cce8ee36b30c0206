/**
 * `tsx scripts/check-env.ts`: the start-up configuration check (lib/config/check-env.ts) as a step of `npm start` /
 * `npm run dev` (scripts/run-app.mjs runs it before migrations and the build).
 * Exit 0 when the environment is valid; exit 2 after printing every problem (`NAME: problem`) to stderr.
 */
import { exitOnInvalidEnvironment } from "../lib/config/check-env";

exitOnInvalidEnvironment(process.env);
