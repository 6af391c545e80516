import type { MerchantGroup } from "../../programme/groups.ts";
import { GroupChooser } from "../GroupChooser.tsx";
import { type ListedSeries, SeriesCard } from "./SeriesCard.tsx";

/** What a series is, the group chooser, and one page of the group's series. */
export function SeriesList(
  { groups, group, series, nextCursor, canManage, maxGeneration, csrf, timeZone }: {
    /** The groups the viewer may switch to. */
    groups: MerchantGroup[];
    group: MerchantGroup;
    series: ListedSeries[];
    nextCursor: string | null;
    canManage: boolean;
    maxGeneration: number;
    /** The session's CSRF token, for the cards' forms. */
    csrf?: string;
    /** The programme's clock. */
    timeZone: string;
  },
) {
  return (
    <>
      <p class="intro">
        A series is a bundle of instruments of one type — gift cards, loyalty cards, store credit or
        coupons — with a number prefix, a currency and defaults. Instruments are generated with
        numbers that cannot be guessed from one another: cards inactive, coupons active (usable at
        once, until their expiry and their uses run out).
      </p>
      {groups.length > 1 && (
        <GroupChooser
          action="/console/series"
          class="row chooser"
          groups={groups}
          current={group}
        />
      )}
      {series.length === 0 && (
        <section class="card">
          <p>{group.name} has no series yet.</p>
        </section>
      )}
      {series.map((s) => (
        <SeriesCard
          key={s.series.id}
          {...s}
          canManage={canManage}
          maxGeneration={maxGeneration}
          csrf={csrf}
          timeZone={timeZone}
        />
      ))}
      {nextCursor && (
        <p>
          <a href={`/console/series?group=${group.id}&cursor=${nextCursor}`}>More series →</a>
        </p>
      )}
    </>
  );
}
