import { Args } from '@oclif/core';
import { TqCommand } from '../../cli/command.ts';
import { outputFlag } from '../../cli/flags.ts';

export default class DataCheck extends TqCommand {
  static override description = `Check a data directory: whether a broker or a --data-dir command can open it, or what is wrong with it

Reads every page of data.mdb its newest snapshot reaches (only its meta pages while a broker writes it), then the tq format and the tasks. Takes no lock, so it works beside a running broker. Exits 0 when the directory is fine, 1 with one line saying what is wrong (missing, not a directory, unreadable, not LMDB, cut short, damaged, a newer format), 2 on bad usage.`;
  static override examples = ['<%= config.bin %> data check ./tq-data', '<%= config.bin %> data check /var/lib/tq --output json'];
  static override args = { dir: Args.string({ description: 'the data directory to check', required: true }) };
  static override flags = { output: outputFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DataCheck);
    const [{ checkDataDir }, { print }, { fieldTable }, { formatBytes }, { TqError }] = await Promise.all([
      import('../../cli/local-reader.ts'),
      import('../../cli/output.ts'),
      import('../../cli/table.ts'),
      import('../../cli/format.ts'),
      import('../../model/errors.ts'),
    ]);
    const report = await checkDataDir(args.dir);
    const { lmdb } = report;
    // JSON and YAML print the report either way; a damaged directory is the one line on stderr.
    if (report.ok || flags.output !== 'table') print(flags.output, report, () =>
      fieldTable([
        ['data dir', `${report.dataDir}: fine`],
        ['format version', `${report.formatVersion ?? 'none'} (this tq reads up to ${report.supportedFormatVersion})`],
        ['data file', `${formatBytes(report.fileBytes)}, LMDB format ${lmdb?.version}, pages of ${lmdb?.pageSize} bytes, ${lmdb?.pagesChecked} read`],
        ['broker', report.brokerPid === null ? 'none running on it' : `running, pid ${report.brokerPid}`],
        ['tasks', String(report.tasks)],
        ...report.notes.map((text): [string, string] => ['note', text]),
      ]),
    );
    if (!report.ok) throw new TqError(report.code ?? 'DATA_CORRUPT', report.problem ?? 'damaged');
  }
}
