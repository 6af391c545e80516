/**
 * Params forms read from the catalogue's JSON Schemas: an event's params, and the params of
 * the facts that take some (a line selector, tender types, a customer category index). A few
 * keys get a better control than their schema type alone suggests (a category by its name,
 * the rules a multiplier multiplies, an amount in the currency's units).
 */
import {
  CheckboxField,
  CheckList,
  CodeList,
  Notes,
  NumberField,
  SelectField,
  useEditor,
  useIssues,
} from "./fields.tsx";
import { EARNING_TYPES, getIn, isObj, type Json, type Path } from "./model.ts";

/** The part of JSON Schema the catalogue's params use. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
}

const PARAM_TEXT: Record<string, { label: string; optional?: string; hint?: string }> = {
  pointsPerUnit: { label: "Points per 1.00" },
  perItem: { label: "Points per item" },
  points: { label: "Fixed points" },
  minTotal: { label: "Minimum total", hint: "Fires only when the net total is at least this" },
  factor: { label: "Factor" },
  percent: { label: "Percent off" },
  tenderTypes: { label: "Tender types" },
  types: { label: "Tender types" },
  ruleIds: { label: "Multiply only these rules" },
  basis: { label: "Lines", optional: "Only some lines earn" },
  selector: { label: "Lines", optional: "Only some lines" },
  skus: { label: "SKUs" },
  categories: { label: "Item categories" },
  excludeDiscounted: { label: "Leave out discounted lines" },
  index: { label: "Category" },
};

/** Keys whose values are codes compared as stored: upper-case. */
const UPPER = new Set(["tenderTypes", "types"]);

/** One field per property of `schema`, editing the object at `path`. */
export function SchemaFields({ schema, path }: { schema: Schema; path: Path }) {
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, s]) => (
        <ParamField
          key={name}
          name={name}
          schema={s}
          required={schema.required?.includes(name) ?? false}
          path={[...path, name]}
        />
      ))}
    </>
  );
}

function ParamField(
  { name, schema, required, path }: {
    name: string;
    schema: Schema;
    required: boolean;
    path: Path;
  },
) {
  const ed = useEditor();
  const text = PARAM_TEXT[name] ?? { label: name };
  const hint = text.hint ?? schema.description;
  if (name === "index") {
    const options = ed.vocabulary.categoryNames.map((label, i) => ({
      value: i + 1,
      label: `${i + 1} · ${label}`,
    }));
    return <SelectField path={path} label={text.label} options={options} />;
  }
  if (name === "ruleIds") {
    const self = getIn(ed.rules.value, [path[0], "id"]);
    const options = ed.rules.value.filter((r) =>
      isObj(r) && isObj(r.event) && EARNING_TYPES.has(r.event.type as string) && r.id !== self
    ).map((r) => ({ value: (r as { id: Json }).id, label: String((r as { name: Json }).name) }));
    return (
      <CheckList
        path={path}
        label={text.label}
        hint="Every earning rule when none is ticked"
        options={options}
        optional
      />
    );
  }
  switch (schema.type) {
    case "number":
    case "integer":
      return (
        <NumberField
          path={path}
          label={text.label}
          hint={hint}
          money={name === "minTotal"}
          optional={!required}
        />
      );
    case "boolean":
      return <CheckboxField path={path} label={text.label} hint={hint} optional={!required} />;
    case "array":
      return (
        <CodeList
          path={path}
          label={text.label}
          hint={hint}
          upper={UPPER.has(name)}
          suggestions={name === "categories" ? ed.vocabulary.itemCategories : undefined}
          optional={!required}
        />
      );
    case "object":
      return <ObjectField path={path} schema={schema} required={required} text={text} />;
    default:
      return null;
  }
}

/** A nested object (a line selector); an optional one is switched on by a checkbox. */
function ObjectField(
  { path, schema, required, text }: {
    path: Path;
    schema: Schema;
    required: boolean;
    text: { label: string; optional?: string };
  },
) {
  const ed = useEditor();
  const { id, messages, attrs } = useIssues(path, schema.description);
  const present = getIn(ed.rules.value, path) !== undefined;
  const label = required ? text.label : text.optional ?? text.label;
  return (
    <fieldset id={id} class="re-object" {...attrs}>
      <legend>
        {required ? label : (
          <label class="check">
            <input
              type="checkbox"
              checked={present}
              onChange={(e) => ed.set(path, e.currentTarget.checked ? {} : undefined)}
            />
            {label}
          </label>
        )}
      </legend>
      <Notes id={id} hint={schema.description} messages={messages} />
      {(required || present) && (
        <div class="re-row">
          <SchemaFields schema={schema} path={path} />
        </div>
      )}
    </fieldset>
  );
}
