// Parses JavaScript files as Node parses a CommonJS module, without running them (codescale's eval harness).
// Usage: node syntax_check.js FILE...   Prints "OK i" or "FAIL i<TAB>message" for file i.
const fs = require("fs");
const vm = require("vm");
process.argv.slice(2).forEach((file, i) => {
  try {
    vm.compileFunction(fs.readFileSync(file, "utf8"), ["exports", "require", "module", "__filename", "__dirname"], {
      filename: file,
    });
    console.log(`OK ${i}`);
  } catch (err) {
    console.log(`FAIL ${i}\t${String(err).replace(/\s+/g, " ")}`);
  }
});
