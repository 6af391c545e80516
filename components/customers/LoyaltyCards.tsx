import type { Card } from "../../members/customers.ts";

/**
 * A customer's loyalty cards with their status; a card not active is greyed. With `block`, an
 * active card has a form that blocks it, with the required reason.
 */
export function LoyaltyCards(
  { cards, block }: { cards: Card[]; block?: { customerId: string; csrf?: string } },
) {
  return (
    <section class="card" id="cards" aria-labelledby="cards-heading">
      <h2 id="cards-heading">Loyalty cards</h2>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Status</th>
            {block && (
              <th>
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {cards.map((card) => (
            <tr>
              <td>{card.number}</td>
              <td>
                <span class={`badge ${card.status === "active" ? "" : "disabled"}`}>
                  {card.status}
                </span>
              </td>
              {block && (
                <td>
                  {card.status === "active" && (
                    <form
                      method="post"
                      action={`/console/customers/${block.customerId}/cards/block#cards`}
                      class="row"
                      aria-label={`Block card ${card.number}`}
                    >
                      <input type="hidden" name="_csrf" value={block.csrf} />
                      <input type="hidden" name="number" value={card.number} />
                      <label>
                        Reason
                        <input name="reason" maxLength={500} required />
                      </label>
                      <button type="submit" class="secondary">Block card</button>
                    </form>
                  )}
                </td>
              )}
            </tr>
          ))}
          {cards.length === 0 && (
            <tr>
              <td colSpan={block ? 3 : 2}>No loyalty card.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
