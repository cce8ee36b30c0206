/**
 * ESLint flat config: Next's core-web-vitals and TypeScript rules, plus the layer boundaries of ARCHITECTURE.md
 * as `no-restricted-imports` rules, so a change that crosses a layer fails `npm test` (the lint stage).
 *
 *   app/ (pages, thin routes) → lib/ (domain) ← inngest/ (thin functions); components/ → lib/client, lib/schemas
 *   - Prisma, the generated client and the database client only in lib/db;
 *   - lib/ never imports app/ or inngest/;
 *   - lib/core imports nothing with I/O (no other lib folder, no node I/O modules, no Next, no Prisma);
 *   - components/ never import lib/db.
 * Tests, e2e specs, scripts and benchmarks may reach across layers (they set up databases and servers).
 *
 * And the house rule on docstrings, for lib/ and inngest/ (tests and generated code aside): every exported function,
 * function-valued constant and class carries a JSDoc block (`jsdoc/require-jsdoc` of eslint-plugin-jsdoc, with
 * `publicOnly`; `jsdoc/no-blank-blocks` so an empty `/** *\/` does not count), and every lib/ module opens with one
 * (`docstrings/module-docstring` below: eslint-plugin-jsdoc's require-file-overview wants a `@file` tag, which this
 * repository's module docstrings do not use).
 */
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import jsdoc from "eslint-plugin-jsdoc";

const PRISMA = [
  { group: ["@prisma/*", "@/generated/*", "**/generated/prisma/*"], message: "Prisma is used only in lib/db." },
  { group: ["@/lib/db/client", "**/db/client"], message: "The database client is used only in lib/db: call a lib/db module." },
];
const NOT_APP_OR_INNGEST = [
  { group: ["@/app", "@/app/*", "@/inngest", "@/inngest/*"], message: "lib/ never imports app/ or inngest/." },
  // Relative paths into the repository's app/ or inngest/ (the inngest package's own subpaths stay allowed).
  { regex: "^(\\.\\./)+(app|inngest)(/|$)", message: "lib/ never imports app/ or inngest/." },
];
// no-restricted-imports does not see `await import("…")`.
const DYNAMIC_APP_OR_INNGEST = [
  { selector: "ImportExpression[source.value=/^@\\/(app|inngest)\\//]", message: "lib/ never imports app/ or inngest/." },
];
const NO_IO_FOR_CORE = [
  { group: ["@/lib/*", "!@/lib/core", "!@/lib/core/*"], message: "lib/core imports only lib/core." },
  { group: ["next", "next/*", "undici", "pg", "@electric-sql/*"], message: "lib/core has no I/O and no framework." },
  {
    group: ["node:fs", "node:fs/*", "fs", "fs/*", "node:net", "net", "node:http", "http", "node:https", "https", "node:child_process", "child_process"],
    message: "lib/core has no I/O.",
  },
];
const NO_DB_FOR_UI = [
  { group: ["@/lib/db", "@/lib/db/*", "@prisma/*", "@/generated/*"], message: "Components use lib/client (the API), never lib/db." },
];
// The statements whose docstring jsdoc/require-jsdoc looks for: functions, classes, function-valued constants.
const FUNCTION_VALUES = new Set(["ArrowFunctionExpression", "FunctionExpression", "ClassExpression"]);
const takesDocstring = (node) => {
  const d = node.type === "ExportNamedDeclaration" || node.type === "ExportDefaultDeclaration" ? node.declaration : node;
  if (!d) return false;
  if (d.type === "FunctionDeclaration" || d.type === "ClassDeclaration" || d.type === "TSDeclareFunction" || FUNCTION_VALUES.has(d.type)) return true;
  return d.type === "VariableDeclaration" && d.declarations.some((v) => v.init && FUNCTION_VALUES.has(v.init.type));
};
/**
 * `docstrings/module-docstring`: the file's first comment is a non-empty JSDoc block (`/** … *\/`) with nothing but
 * directives (`"use client"`) before it, and a blank line (or an import) after it, so that it is not also taken as the
 * docstring of the declaration below. Reports once per file.
 */
const moduleDocstring = {
  meta: {
    type: "suggestion",
    schema: [],
    messages: {
      missing: "A module opens with a docstring (/** … */): what it does, its inputs and outputs, the spec it follows.",
      attached: "Leave a blank line between the module docstring and the first declaration, which needs a docstring of its own.",
    },
  },
  create(context) {
    return {
      Program(program) {
        const first = context.sourceCode.getAllComments()[0];
        const firstCode = program.body.find((n) => !(n.type === "ExpressionStatement" && typeof n.directive === "string"));
        const ok =
          first !== undefined &&
          first.type === "Block" &&
          first.value.startsWith("*") &&
          first.value.replace(/[\s*]/g, "") !== "" &&
          (firstCode === undefined || first.range[1] <= firstCode.range[0]);
        if (!ok) context.report({ loc: { line: 1, column: 0 }, messageId: "missing" });
        // A declaration right below the module docstring would take it as its own docstring (jsdoc/require-jsdoc).
        else if (firstCode && takesDocstring(firstCode) && firstCode.loc.start.line === first.loc.end.line + 1) {
          context.report({ loc: first.loc, messageId: "attached" });
        }
      },
    };
  },
};
const DOCSTRINGS = { rules: { "module-docstring": moduleDocstring } };

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "tests/**", "e2e/**", "bench/**", "scripts/**"];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's shape, a destructured field dropped).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },
  globalIgnores([".next/**", "bench/out/**", "node_modules/**", "generated/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: ["lib/db/**", ...TESTS],
    rules: {
      "no-restricted-imports": ["error", { patterns: [...PRISMA, ...NOT_APP_OR_INNGEST] }],
      "no-restricted-syntax": ["error", ...DYNAMIC_APP_OR_INNGEST],
    },
  },
  {
    files: ["lib/db/**/*.ts"],
    ignores: TESTS,
    rules: {
      "no-restricted-imports": ["error", { patterns: NOT_APP_OR_INNGEST }],
      "no-restricted-syntax": ["error", ...DYNAMIC_APP_OR_INNGEST],
    },
  },
  {
    files: ["lib/core/**/*.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: [...PRISMA, ...NOT_APP_OR_INNGEST, ...NO_IO_FOR_CORE] }] },
  },
  {
    files: ["app/**/*.ts", "app/**/*.tsx", "inngest/**/*.ts", "instrumentation.ts", "proxy.ts"],
    ignores: TESTS,
    rules: { "no-restricted-imports": ["error", { patterns: PRISMA }] },
  },
  {
    // Tests read JSON bodies of any shape and call handlers with loose fixtures.
    files: TESTS,
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["components/**/*.ts", "components/**/*.tsx"],
    rules: { "no-restricted-imports": ["error", { patterns: NO_DB_FOR_UI }] },
  },
  {
    // Public functions and classes carry a docstring: exported function declarations, exported constants whose
    // value is an arrow function or function expression, exported classes (also when exported by `export { … }`).
    files: ["lib/**/*.ts", "lib/**/*.tsx", "inngest/**/*.ts"],
    ignores: TESTS,
    plugins: { jsdoc },
    rules: {
      "jsdoc/require-jsdoc": [
        "error",
        {
          publicOnly: { esm: true, cjs: false, window: false },
          require: { FunctionDeclaration: true, ArrowFunctionExpression: true, FunctionExpression: true, ClassDeclaration: true, ClassExpression: true },
          // An overloaded function's docstring stands above its first signature.
          contexts: ["TSDeclareFunction"],
          exemptOverloadedImplementations: true,
          skipInterveningOverloadedDeclarations: true,
          checkConstructors: false,
          checkGetters: false,
          checkSetters: false,
          // `eslint --fix` would insert empty blocks, which no-blank-blocks then refuses: write the docstring.
          enableFixer: false,
        },
      ],
      "jsdoc/no-blank-blocks": ["error", { enableFixer: false }],
    },
  },
  {
    files: ["lib/**/*.ts", "lib/**/*.tsx"],
    ignores: TESTS,
    plugins: { docstrings: DOCSTRINGS },
    rules: { "docstrings/module-docstring": "error" },
  },
]);
