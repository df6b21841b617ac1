// Prints the gzip size of the built JavaScript and fails above the budget (300 KB).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const BUDGET = 300 * 1024
const dir = new URL('../dist/assets/', import.meta.url).pathname
const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'))
let js = 0
for (const file of files) {
  const data = readFileSync(join(dir, file))
  const gz = gzipSync(data, { level: 9 }).length
  if (file.endsWith('.js')) js += gz
  console.log(`${file.padEnd(32)} ${(data.length / 1024).toFixed(1).padStart(7)} KB  gzip ${(gz / 1024).toFixed(1).padStart(6)} KB`)
}
console.log(`JavaScript, gzip: ${(js / 1024).toFixed(1)} KB of a ${BUDGET / 1024} KB budget`)
if (js > BUDGET) {
  console.error('over budget')
  process.exit(1)
}
