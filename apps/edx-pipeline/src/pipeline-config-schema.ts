/**
 * The JSON Schema (draft-07) of `edx-pipeline run --config pipeline.json`. It is the source of
 * `docs/pipeline-config.schema.json` (a test keeps the two equal; `UPDATE_PIPELINE_SCHEMA=1`
 * rewrites the file) and what `readPipelineConfig` validates a config against. Every field is
 * described in docs/pipeline-config.md. The format `date` is a calendar day `YYYY-MM-DD`.
 */

/** The fields of an inline course config: those of `parseCourseConfig` (docs/course-config.md). */
const COURSE_CONFIG = {
  type: 'object',
  description:
    'A course config inline, with the fields of docs/course-config.md: the course ids whose events are extracted and the window of days.',
  additionalProperties: false,
  required: ['course_ids', 'date_of_course_enrollment', 'date_of_course_completion'],
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    edx_id: {
      type: 'string',
      description: 'Informational; when it is a course id, it names the course database.',
    },
    edx_course_name: { type: 'string', description: 'Informational.' },
    course_ids: {
      type: 'array',
      description: 'The course ids whose events are extracted, in any form.',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
    },
    date_of_course_enrollment: {
      type: 'string',
      format: 'date',
      description: 'First day of the window (included), YYYY-MM-DD.',
    },
    date_of_course_completion: {
      type: 'string',
      format: 'date',
      description: 'Last day of the window (included, the whole day), YYYY-MM-DD.',
    },
    time_zone: {
      type: 'string',
      description: 'IANA time zone of the two days. Default: UTC.',
    },
  },
} as const;

/** A course config given by its file. */
const COURSE_CONFIG_FILE = {
  type: 'object',
  additionalProperties: false,
  required: ['config'],
  properties: {
    $comment: { type: 'string' },
    config: {
      type: 'string',
      minLength: 1,
      description: 'A course config file (docs/course-config.md), relative to this file.',
    },
  },
} as const;

export const PIPELINE_CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/edx-data/edx-data/blob/main/docs/pipeline-config.schema.json',
  title: 'edx-pipeline run config',
  description:
    'What `edx-pipeline run --config pipeline.json` does: the store, the key of the encrypted files, the package and log folders, the courses to extract, the reports and their anonymised copies. Relative paths are relative to the folder of the config file. See docs/pipeline-config.md.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    $comment: { type: 'string' },
    store: {
      type: 'string',
      minLength: 1,
      description:
        'The store: a folder (the embedded engine) or a mongodb:// or mongodb+srv:// URI. The global option --store overrides it. Default: $EDX_STORE, else ./edx-data.',
    },
    key: {
      type: 'object',
      description: 'The OpenPGP private key that decrypts the .gpg files of packages and logs.',
      additionalProperties: false,
      required: ['file'],
      properties: {
        file: { type: 'string', minLength: 1, description: 'The armored private key file.' },
        passphraseEnv: {
          type: 'string',
          pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
          description:
            'The environment variable holding the key passphrase (never written in the file).',
        },
      },
    },
    packages: {
      type: 'array',
      description:
        'Data package folders, weekly .zip files, or table files: imported into the course databases. A file loaded before, unchanged, is skipped.',
      items: { type: 'string', minLength: 1 },
    },
    logs: {
      type: 'array',
      description:
        'Tracking log files, or folders holding them: loaded into the master tracking database. A log loaded before, unchanged, is skipped.',
      items: { type: 'string', minLength: 1 },
    },
    courses: {
      type: 'array',
      description:
        'The courses to extract (and export): each a course config file ({ "config": "course.json" }) or a course config inline.',
      items: {
        if: { type: 'object', required: ['config'] },
        then: COURSE_CONFIG_FILE,
        else: COURSE_CONFIG,
      },
    },
    reports: {
      type: 'object',
      description: 'The reports to export for each course, into <out>/<course database>/.',
      additionalProperties: false,
      required: ['out'],
      properties: {
        out: { type: 'string', minLength: 1, description: 'The folder of the reports.' },
        names: {
          description: 'The reports (`edx-pipeline export --list`), or "all". Default: "all".',
          if: { type: 'string' },
          then: { const: 'all' },
          else: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
        params: {
          type: 'object',
          description:
            'Report parameters: name (or report.name) to value, as `export --param name=value`.',
          additionalProperties: { type: 'string' },
        },
        gzip: { type: 'boolean', description: 'Write .csv.gz. Default: false.' },
      },
    },
    anonymise: {
      description:
        'Anonymised copies of the reports, into <out>/<course database>/; false or absent: none.',
      if: { type: 'boolean' },
      then: { const: false },
      else: {
        type: 'object',
        additionalProperties: false,
        required: ['out'],
        properties: {
          out: { type: 'string', minLength: 1, description: 'The folder of the copies.' },
          keyFile: {
            type: 'string',
            minLength: 1,
            description: 'The file holding the pseudonym key (give keyFile or keyEnv).',
          },
          keyEnv: {
            type: 'string',
            pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
            description: 'The environment variable holding the pseudonym key.',
          },
          k: {
            type: 'integer',
            minimum: 1,
            description: 'k of k-anonymity for files with quasi-identifiers. Default: 5.',
          },
        },
      },
    },
    report: {
      type: 'string',
      minLength: 1,
      description: 'Where to write the run report (report.html). Default: none.',
    },
  },
} as const;
