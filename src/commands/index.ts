import BrokerStart from './broker/start.ts';
import Cancel from './cancel.ts';
import DataBackup from './data/backup.ts';
import DataCheck from './data/check.ts';
import DataInfo from './data/info.ts';
import Dev from './dev.ts';
import DlqList from './dlq/list.ts';
import DlqPurge from './dlq/purge.ts';
import DlqReplay from './dlq/replay.ts';
import List from './list.ts';
import QueueDepth from './queue-depth.ts';
import QueueConfig from './queue/config.ts';
import QueueDrain from './queue/drain.ts';
import QueuePause from './queue/pause.ts';
import QueueResume from './queue/resume.ts';
import Retry from './retry.ts';
import Stats from './stats.ts';
import Status from './status.ts';
import Submit from './submit.ts';
import Top from './top.ts';
import Version from './version.ts';
import WorkerStart from './worker/start.ts';
import Workers from './workers.ts';

export const COMMANDS = {
  'broker:start': BrokerStart,
  cancel: Cancel,
  'data:backup': DataBackup,
  'data:check': DataCheck,
  'data:info': DataInfo,
  dev: Dev,
  'dlq:list': DlqList,
  'dlq:purge': DlqPurge,
  'dlq:replay': DlqReplay,
  list: List,
  'queue-depth': QueueDepth,
  'queue:config': QueueConfig,
  'queue:drain': QueueDrain,
  'queue:pause': QueuePause,
  'queue:resume': QueueResume,
  retry: Retry,
  stats: Stats,
  status: Status,
  submit: Submit,
  top: Top,
  version: Version,
  'worker:start': WorkerStart,
  workers: Workers,
};
