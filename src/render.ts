import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { VFile } from 'vfile';
import { addError } from './report.js';
import type { Output, Page } from './types.js';
import type { Urls } from './urls.js';

/** The rendered pages, and the template files with any problems recorded on them. */
export interface RenderResult {
  outputs: Output[];
  templateFiles: VFile[];
}

/**
 * Page[] → Output[] through LiquidJS: the only module that knows the template engine.
 * Output is HTML-escaped unless a template says `| raw` (only the post body does), and an
 * unknown variable or filter is an error at its place in the template, not an empty string.
 */
export function render(pages: Page[], root: string, urls: Urls, globals: Record<string, unknown> = {}): RenderResult {
  const templatesDir = path.join(root, 'templates');
  const liquid = new Liquid({
    root: templatesDir,
    extname: '.liquid',
    outputEscape: 'escape',
    strictFilters: true,
    strictVariables: true,
    // `{% if post.lastmod %}` may test a value that is not there.
    lenientIf: true,
    jsTruthy: false,
    cache: true,
    globals,
  });
  liquid.registerFilter('relURL', (value: unknown) => urls.rel(String(value ?? '')));
  liquid.registerFilter('absURL', (value: unknown) => urls.abs(String(value ?? '')));

  const templateFiles = new Map<string, VFile>();
  const fileOf = (absolute: string) => {
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    let file = templateFiles.get(relative);
    if (!file) {
      file = new VFile({ path: relative, cwd: root, value: existsSync(absolute) ? readFileSync(absolute, 'utf8') : '' });
      templateFiles.set(relative, file);
    }
    return file;
  };
  const reported = new Set<string>();

  const outputs: Output[] = [];
  for (const page of pages) {
    try {
      outputs.push({ path: page.outputPath, content: liquid.renderFileSync(page.template, page.data) });
    } catch (error) {
      const located = locate(error, path.join(templatesDir, `${page.template}.liquid`));
      const key = `${located.file}:${located.line}:${located.column}:${located.message}`;
      if (reported.has(key)) continue;
      reported.add(key);
      addError(fileOf(located.file), located.message, { line: located.line, column: located.column }, 'template');
    }
  }
  return { outputs, templateFiles: [...templateFiles.values()] };
}

interface LiquidLikeError {
  message: string;
  token?: { file?: string; getPosition(): [number, number] };
  originalError?: unknown;
  errors?: LiquidLikeError[];
}

/** The template file, line, column and plain message of a LiquidJS error. */
function locate(error: unknown, fallbackFile: string) {
  const liquidError = (error as LiquidLikeError)?.errors?.[0] ?? (error as LiquidLikeError);
  const token = liquidError?.token;
  const [line, column] = token?.getPosition?.() ?? [1, 1];
  const message = String(liquidError?.message ?? error)
    .replace(/, file:.*$/s, '')
    .replace(/, line:\d+, col:\d+$/s, '');
  return { file: token?.file ?? fallbackFile, line, column, message: `template error: ${message}` };
}
