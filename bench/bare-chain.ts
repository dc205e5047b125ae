import { readFile } from 'node:fs/promises';
import path from 'node:path';
import rehypeKatex from 'rehype-katex';
import rehypeSlug from 'rehype-slug';
import rehypeStringify from 'rehype-stringify';
import remarkCjkFriendly from 'remark-cjk-friendly';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { glob } from 'tinyglobby';
import { unified } from 'unified';

/**
 * The in-run baseline: the same unified plugins geul uses, on one thread, with no cache and
 * no templates — what a plain unified script would take to turn the corpus into HTML.
 */
const root = process.argv[2]!;
const processor = unified()
  .use(remarkParse)
  .use(remarkFrontmatter, ['toml'])
  .use(remarkGfm)
  .use(remarkMath)
  .use(remarkCjkFriendly)
  .use(remarkRehype)
  .use(rehypeKatex, { output: 'htmlAndMathml', strict: 'ignore' })
  .use(rehypeSlug)
  .use(rehypeStringify);
const files = await glob('content/posts/**/*.md', { cwd: root });
let bytes = 0;
for (const file of files.sort()) {
  const html = String(await processor.process(await readFile(path.join(root, file), 'utf8')));
  bytes += html.length;
}
console.log(`bare chain: ${files.length} files, ${bytes} bytes of HTML`);
