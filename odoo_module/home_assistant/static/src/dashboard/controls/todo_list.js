/** A todo list: its items asked from Home Assistant (todo.get_items); add, complete, remove. */

import { Component, useEffect, useState } from "@odoo/owl";

export class TodoList extends Component {
    static template = "home_assistant.TodoList";
    static props = { entity: Object, call: Function, ask: Function };

    setup() {
        this.list = useState({ items: null, draft: "" });
        // Asked again whenever Home Assistant pushes a new state (its count of open items).
        useEffect(
            () => {
                this.load();
            },
            () => [this.props.entity.state, this.props.entity.last_updated]
        );
    }

    async load() {
        const response = await this.props.ask("get_items", {});
        if (response) {
            this.list.items = response.items || [];
        }
    }

    async change(service, data) {
        if (await this.props.call(service, data)) {
            await this.load();
        }
    }

    add(ev) {
        ev.preventDefault();
        const item = this.list.draft.trim();
        if (item) {
            this.list.draft = "";
            this.change("add_item", { item });
        }
    }

    setStatus(item, done) {
        this.change("update_item", { item: item.uid || item.summary, status: done ? "completed" : "needs_action" });
    }

    remove(item) {
        this.change("remove_item", { item: item.uid || item.summary });
    }
}
