import type { MerchantGroup } from "../programme/groups.ts";

interface GroupSelectProps {
  groups: MerchantGroup[];
  current: MerchantGroup;
  /** Organization names by id: given, groups of several organizations are told apart by them. */
  orgNames?: Map<string, string>;
}

/** A group's name, after its organization's when the groups listed span several. */
export function groupLabel(
  groups: MerchantGroup[],
  orgNames: Map<string, string>,
  g: MerchantGroup,
) {
  return new Set(groups.map((x) => x.org_id)).size > 1
    ? `${orgNames.get(g.org_id) ?? "?"} · ${g.name}`
    : g.name;
}

/** The labelled `group` select of a GET form that shows one merchant group's page. */
export function GroupSelect({ groups, current, orgNames }: GroupSelectProps) {
  return (
    <label>
      Merchant group
      <select name="group">
        {groups.map((g) => (
          <option value={g.id} selected={g.id === current.id}>
            {orgNames ? groupLabel(groups, orgNames, g) : g.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A form of its own to switch the page to another merchant group. */
export function GroupChooser(
  { action, class: className, ...select }: GroupSelectProps & { action: string; class: string },
) {
  return (
    <form method="get" action={action} class={className}>
      <GroupSelect {...select} />
      <button type="submit" class="secondary">Show</button>
    </form>
  );
}
