import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePackage } from '@edx-data/synthetic-data';
import type { GroundTruth } from '@edx-data/synthetic-data';
import {
  PARENT_DATA_CATEGORIES,
  buildCourseStructure,
  countByCategory,
} from './build-course-structure.js';
import type { CourseStructure, StructureBlock } from './build-course-structure.js';

const SEEDS = [1, 7, 42];

interface Generated {
  readonly seed: number;
  readonly course: string;
  readonly truth: GroundTruth;
  readonly structure: CourseStructure;
}

let dir: string;
const generated: Generated[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'course-extractor-synth-'));
  for (const seed of SEEDS) {
    const pkg = await generatePackage({
      dir: join(dir, String(seed)),
      courses: 2,
      learners: 5,
      days: 1,
      seed,
    });
    for (const file of pkg.groundTruth.files) {
      if (file.kind !== 'course_structure' || file.course === undefined) continue;
      const text = await readFile(join(pkg.dir, file.path), 'utf8');
      generated.push({
        seed,
        course: file.course,
        truth: pkg.groundTruth,
        structure: buildCourseStructure(JSON.parse(text) as unknown, { courseId: file.course }),
      });
    }
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generated packages', () => {
  it('has two courses per seed', () => {
    expect(generated).toHaveLength(SEEDS.length * 2);
  });

  it('gives the ground-truth block counts by category (after splicing)', () => {
    for (const { truth, course, structure } of generated) {
      const expected = truth.courses[course]?.blocks;
      expect(expected).toBeDefined();
      expect(countByCategory(structure.blocks)).toEqual(expected?.after);
      expect(structure.blocks).toHaveLength(expected?.totalAfter ?? -1);
      expect(structure.issues.spliced).toBe(
        (expected?.totalBefore ?? 0) - (expected?.totalAfter ?? 0),
      );
      expect(structure.issues.missingChildren).toEqual([]);
      expect(structure.issues.multipleParents).toEqual([]);
      expect(structure.issues.orphans).toEqual([]);
    }
  });

  it('gives every leaf a complete parent_data chain', () => {
    let leaves = 0;
    for (const { structure } of generated) {
      const byKey = new Map(structure.blocks.map((b) => [b._id, b]));
      for (const leaf of structure.blocks) {
        if (leaf.children.length > 0) continue;
        leaves++;
        // Walk up independently and find the nearest ancestor of each category.
        const expected: Record<string, unknown> = {};
        let child: StructureBlock = leaf;
        let parent = leaf.parent === null ? undefined : byKey.get(leaf.parent);
        while (parent !== undefined) {
          const category = parent.category;
          if (PARENT_DATA_CATEGORIES.includes(category) && !(`${category}_id` in expected)) {
            expected[`${category}_id`] = parent.block_id;
            expected[`${category}_order`] = parent.children.indexOf(child._id);
            expected[`${category}_display_name`] = parent.display_name;
          }
          child = parent;
          parent = parent.parent === null ? undefined : byKey.get(parent.parent);
        }
        expect(child.category).toBe('course');
        expect(leaf.parent_data).toEqual(expected);
        for (const category of PARENT_DATA_CATEGORIES) {
          expect(leaf.parent_data).toHaveProperty(`${category}_id`);
          expect(leaf.parent_data).toHaveProperty(`${category}_order`);
        }
      }
    }
    expect(leaves).toBeGreaterThan(50);
  });

  it('orders the course axis as a depth-first walk of the structure', () => {
    for (const { structure } of generated) {
      const byKey = new Map(structure.blocks.map((b) => [b._id, b]));
      const root = structure.blocks.find((b) => b.category === 'course');
      expect(root).toBeDefined();
      const walk: string[] = [];
      const visit = (block: StructureBlock): void => {
        walk.push(block._id);
        for (const child of block.children) {
          const next = byKey.get(child);
          if (next !== undefined) visit(next);
        }
      };
      if (root !== undefined) visit(root);
      expect(structure.axis.map((r) => r.usage_key)).toEqual(walk);
      expect(walk).toHaveLength(structure.blocks.length);
      expect(structure.axis.map((r) => r.index)).toEqual(walk.map((_, i) => i + 1));
    }
  });
});
