/**
 * A camera's still image, fetched from Home Assistant on demand (`ha.entity.camera_snapshot`).
 *
 * The image arrives as a `data:` URL: the browser never gets an address on Home Assistant
 * nor a camera token. Shown on the camera's dashboard card and on its entity form.
 */

import { Component, onMounted, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

export class CameraStill extends Component {
    static template = "home_assistant.CameraStill";
    static props = {
        // The ha.entity record id of the camera.
        entityId: Number,
        name: { type: String, optional: true },
        available: { type: Boolean, optional: true },
    };
    static defaultProps = { name: "", available: true };

    setup() {
        this.orm = useService("orm");
        this.still = useState({ url: null, loading: false, error: null, fetchedAt: null });
        onMounted(() => this.refresh());
    }

    get altText() {
        return _t("Still image of %s", this.props.name);
    }

    /** Ask Home Assistant for a new still; a failure is shown in place of the image. */
    async refresh() {
        if (!this.props.available || this.still.loading) {
            return;
        }
        Object.assign(this.still, { loading: true, error: null });
        try {
            const result = await this.orm.call("ha.entity", "camera_snapshot", [[this.props.entityId]]);
            Object.assign(this.still, { url: result.data_url, fetchedAt: new Date() });
        } catch (error) {
            this.still.error = error.data?.message || error.message;
        } finally {
            this.still.loading = false;
        }
    }
}

/** The still on the entity form: `<widget name="ha_camera_still"/>`. */
export class CameraStillWidget extends Component {
    static template = "home_assistant.CameraStillWidget";
    static components = { CameraStill };
    static props = { ...standardWidgetProps };
}

registry.category("view_widgets").add("ha_camera_still", { component: CameraStillWidget });
