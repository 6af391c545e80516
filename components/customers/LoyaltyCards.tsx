import type { Card } from "../../members/customers.ts";

/** A customer's loyalty cards with their status; a card not active is greyed. */
export function LoyaltyCards({ cards }: { cards: Card[] }) {
  return (
    <section class="card">
      <h2>Loyalty cards</h2>
      <table>
        <thead>
          <tr>
            <th>Number</th>
            <th>Status</th>
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
            </tr>
          ))}
          {cards.length === 0 && (
            <tr>
              <td colSpan={2}>No loyalty card.</td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
