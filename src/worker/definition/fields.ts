// Definition fields: the shared readers (src/protocol/fields.ts) reporting into a collector
// that adds each issue's source line.
import type { DefinitionIssue } from '../../protocol/definition';
import { formatPath, type FieldPath, type IssueSink } from '../../protocol/fields';

export {
  checkChoice,
  checkKnownFields,
  checkNumber,
  checkNumberList,
  describeValue,
  isObj,
  readBoolean,
  readChoice,
  readMapping,
  readNumber,
  readString,
  type Fallback,
  type NumberRule,
  type Obj,
} from '../../protocol/fields';

export class IssueCollector implements IssueSink {
  readonly issues: DefinitionIssue[] = [];
  constructor(private readonly lineOf: (path: FieldPath) => number | undefined) {}

  add(path: FieldPath, message: string): void {
    this.issues.push({ path: formatPath(path), message, line: this.lineOf(path) });
  }

  get count(): number {
    return this.issues.length;
  }
}
