import { mkdir, rm, writeFile, cp } from 'node:fs/promises';
import path from 'node:path';

/**
 * A deterministic corpus of realistic Korean math posts for benchmarks: 4–10 KB each, about
 * five formulas (most distinct, some shared across posts as real notation is), a table, a code
 * block, 150 tags and 8 categories. The same `count` and `seed` always give the same bytes.
 */
export async function writeCorpus(dir: string, count: number, templatesFrom: string, seed = 1): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.join(dir, 'content', 'posts'), { recursive: true });
  await cp(templatesFrom, path.join(dir, 'templates'), { recursive: true });
  await writeFile(
    path.join(dir, 'site.toml'),
    'title = "벤치마크 블로그"\nbaseURL = "https://bench.example.com/"\nlanguage = "ko"\nauthor = "bench"\npaginate = 10\n',
  );
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const tags = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? `태그 ${i}` : `tag-${i}`));
  const categories = ['Paper Review', 'Machine Learning', '수학', '최적화', '자연어 처리', 'Vision', 'Robotics', '통계'];
  const writes: Promise<void>[] = [];
  for (let n = 0; n < count; n++) {
    const day = new Date(Date.UTC(2020, 0, 1) + n * 86_400_000 * 0.37);
    const date = day.toISOString().slice(0, 10);
    const postTags = [...new Set(Array.from({ length: 3 + Math.floor(random() * 3) }, () => pick(tags)))];
    const postCategories = [...new Set([pick(categories), pick(categories)])];
    const paragraphs = 6 + Math.floor(random() * 10);
    const body: string[] = [];
    for (let p = 0; p < paragraphs; p++) {
      if (p === 1) body.push(`## ${pick(HEADINGS)} ${n}-${p}`);
      if (p === 3) body.push('$$', formula(random, n, p, true), '$$');
      if (p === 4) body.push(TABLE);
      if (p === 5) body.push('```python', CODE, '```');
      if (p % 4 === 2) body.push(`### ${pick(HEADINGS)} ${p}`);
      const sentences = 2 + Math.floor(random() * 4);
      const text = Array.from({ length: sentences }, () => pick(SENTENCES)).join(' ');
      // About five formulas a post: one display formula and an inline one every third paragraph.
      const math = p % 3 === 0 ? ` 여기서 $${formula(random, n, p, false)}$ 이라는 식이 중요하다.` : '';
      body.push(`${text}${math} **"${pick(TERMS)}"**이라는 용어는 ${pick(SENTENCES)}`);
    }
    const text = `+++
title = "${pick(TITLES)} ${n + 1}"
date = "${date}"
description = "${pick(SENTENCES)}"
categories = ${JSON.stringify(postCategories)}
tags = ${JSON.stringify(postTags)}
+++

${body.join('\n\n')}
`;
    writes.push(writeFile(path.join(dir, 'content', 'posts', `post-${String(n).padStart(5, '0')}.md`), text));
  }
  await Promise.all(writes);
}

/** One formula: a third of them shared notation (repeats across posts), the rest distinct. */
function formula(random: () => number, post: number, index: number, display: boolean): string {
  if (random() < 0.33) return display ? SHARED_DISPLAY[index % SHARED_DISPLAY.length]! : SHARED_INLINE[index % SHARED_INLINE.length]!;
  const a = post + index;
  return display
    ? `\\begin{aligned} \\mathcal{L}_{${a}}(\\theta) &= -\\sum_{i=1}^{${a % 97 + 2}} \\log p_\\theta(y_i \\mid x_i) \\\\ &\\quad + \\lambda_{${index}} \\lVert \\theta \\rVert_2^2 \\end{aligned}`
    : `\\alpha_{${a}} = \\frac{\\exp(e_{${a}})}{\\sum_{k=1}^{${index + 2}} \\exp(e_k)}`;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLES = ['논문 리뷰: 트랜스포머', '확률적 경사 하강법 정리', '변분 추론 노트', '어텐션의 수학', '정규화 기법 비교', '강화 학습 입문'];
const HEADINGS = ['배경', '방법', '실험 결과', '수식 유도', '한계와 논의', '구현 메모'];
const TERMS = ['어텐션', '정규화', '사전 학습', '미세 조정', '임베딩', '손실 함수'];
const SENTENCES = [
  '이 논문은 대규모 데이터에서 학습된 모델이 다양한 하위 작업에 적응하는 방식을 분석한다.',
  '실험 결과는 제안한 방법이 기존 baseline보다 안정적으로 수렴함을 보여준다.',
  '여기서 중요한 점은 gradient의 분산이 batch 크기에 반비례한다는 사실이다.',
  '저자들은 self-supervised 목표가 레이블 없이도 풍부한 표현을 학습하게 한다고 주장한다.',
  '다만 이 가정은 데이터 분포가 고정되어 있을 때만 성립한다는 한계가 있다.',
  '이 결과를 직관적으로 이해하려면 행렬의 고유값 분해를 떠올리면 된다.',
  '학습률 스케줄은 warmup 이후 역제곱근으로 감소하도록 설정했다.',
  '표현 공간의 차원이 커질수록 내적의 분산도 함께 커진다.',
];
const SHARED_INLINE = ['\\mathbb{E}[X]', 'O(n^2 \\cdot d)', '\\sqrt{d_k}', 'p(y \\mid x)', '\\nabla_\\theta \\mathcal{L}'];
const SHARED_DISPLAY = [
  '\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V',
  '\\hat{m}_t = \\frac{m_t}{1 - \\beta_1^t}, \\quad \\hat{v}_t = \\frac{v_t}{1 - \\beta_2^t}',
  'A = U \\Sigma V^\\top = \\sum_{i=1}^{r} \\sigma_i u_i v_i^\\top',
];
const TABLE = `| 모델 | 파라미터 | 정확도 |
|:--|--:|--:|
| Base | 110M | 84.6 |
| Large | 340M | 86.7 |
| 제안 방법 | 120M | 87.1 |`;
const CODE = `import numpy as np

def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)`;
