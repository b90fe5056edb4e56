/**
 * Verial Image Sync admin: fills every sync card ([data-vis-sync]) and the last runs table from
 * the read-only status route, polls it while a sync or an assignment runs, and sends the
 * buttons' requests. Plain JS over wp.apiFetch, which adds the REST nonce and the user's locale.
 * Strings come translated from PHP (window.verialImageSync.i18n); every value is written with
 * textContent, never as HTML.
 */
( function () {
	'use strict';

	const config = window.verialImageSync;
	if ( ! config || ! window.wp || ! window.wp.apiFetch ) {
		return;
	}
	const apiFetch = window.wp.apiFetch;
	const i18n = config.i18n;
	const base = '/' + config.namespace;
	const locale = document.documentElement.lang || undefined;

	let status = config.status;
	let timer = null;

	/**
	 * Fills %s, %d and %1$s placeholders (as in the PHP strings); %% is a percent sign.
	 *
	 * @param {string} template Translated string.
	 * @param {...*}   values   Values in order.
	 * @return {string} The text.
	 */
	function format( template, ...values ) {
		let next = 0;
		return template.replace( /%(?:(\d+)\$)?([sd%])/g, ( match, position, type ) => {
			if ( '%' === type ) {
				return '%';
			}
			const value = position ? values[ Number( position ) - 1 ] : values[ next++ ];
			return String( value );
		} );
	}

	function number( value ) {
		return Number( value ).toLocaleString( locale );
	}

	function field( root, name ) {
		return root.querySelector( '[data-vis-field="' + name + '"]' );
	}

	function setText( root, name, text ) {
		const element = field( root, name );
		if ( element ) {
			element.textContent = text;
		}
	}

	function button( root, action ) {
		return root.querySelector( '[data-vis-action="' + action + '"]' );
	}

	function setMessage( root, name, text, isError ) {
		const element = field( root, name );
		if ( element ) {
			element.textContent = text;
			element.classList.toggle( 'vis-message--error', !! isError );
		}
	}

	/**
	 * A failed apiFetch: WordPress REST errors carry a readable message.
	 *
	 * @param {Object} error Rejection value of apiFetch.
	 * @return {string} The text to show.
	 */
	function errorText( error ) {
		if ( error && error.message ) {
			return error.message;
		}
		return format( i18n.failed, error && error.code ? error.code : '?' );
	}

	function isBusy() {
		return !! ( status.run && status.run.active ) || 'running' === status.assign.state;
	}

	function renderRun( card ) {
		const run = status.run;
		const active = !! ( run && run.active );
		let state = status.configured ? i18n.noRun : i18n.notConfigured;
		let when = '';
		if ( run ) {
			state = withMode( format( i18n.runState, run.id, run.status_label ), run );
			when = run.finished ? format( i18n.finished, run.finished ) : format( i18n.started, run.started );
		}
		setText( card, 'state', state );
		setText( card, 'when', when );

		const percent = run ? run.percent : 0;
		const progress = field( card, 'progress' );
		progress.value = percent;
		progress.setAttribute( 'aria-valuetext', format( i18n.percent, percent ) );
		setText( card, 'percent', format( i18n.percent, percent ) );

		setText( card, 'articles', run ? format( i18n.ofTotal, number( run.articles.done ), number( run.articles.total ) ) : i18n.none );
		setText( card, 'created', run ? number( run.images.created ) : i18n.none );
		setText( card, 'duplicates', run ? number( run.images.duplicates_avoided ) : i18n.none );
		setText( card, 'failed', run ? number( run.error_count ) : i18n.none );
		setText( card, 'current', run && run.current_article ? format( i18n.article, run.current_article ) : i18n.none );

		button( card, 'start' ).disabled = active;
		button( card, 'start-full' ).disabled = active;
		button( card, 'cancel' ).hidden = ! active;
		button( card, 'resume' ).hidden = ! active;

		renderErrors( card, run );
	}

	function renderErrors( card, run ) {
		const details = field( card, 'errors' );
		const count = run ? run.error_count : 0;
		details.hidden = 0 === count;
		if ( 0 === count ) {
			return;
		}
		setText( card, 'errors-title', run.errors.length < count ? format( i18n.errorsShown, number( run.errors.length ), number( count ) ) : format( i18n.errors, number( count ) ) );
		const rows = field( card, 'error-rows' );
		const key = run.id + ':' + count + ':' + run.errors.length;
		if ( rows.dataset.visKey === key ) {
			return;
		}
		rows.dataset.visKey = key;
		rows.replaceChildren(
			...run.errors.map( ( error ) => row( [
				String( error.article_id ),
				null === error.position ? i18n.wholeArticle : String( error.position ),
				error.message,
			] ) )
		);
	}

	/**
	 * A status text followed by what the run covers ("Full sync", "Changes only"), when known.
	 *
	 * @param {string} text Status text.
	 * @param {Object} run  Run with mode_label.
	 * @return {string} The text.
	 */
	function withMode( text, run ) {
		return run.mode_label ? text + ' (' + run.mode_label + ')' : text;
	}

	function renderAssign( card ) {
		const assign = status.assign;
		setText( card, 'assign-state', assign.state_label );
		let when = '';
		if ( assign.finished ) {
			when = format( i18n.finished, assign.finished );
		} else if ( assign.started ) {
			when = format( i18n.started, assign.started );
		}
		setText( card, 'assign-when', when );
		const counts = field( card, 'assign-counts' );
		counts.replaceChildren(
			...assign.counts.flatMap( ( count ) => [ element( 'dt', count.label ), element( 'dd', count.value ) ] )
		);
		setText( card, 'assign-error', 'running' === assign.state ? '' : assign.error || '' );
		button( card, 'assign' ).disabled = 'running' === assign.state;
	}

	function renderHistory() {
		const body = document.querySelector( '[data-vis-field="history"]' );
		if ( ! body ) {
			return;
		}
		if ( 0 === status.history.length ) {
			const empty = row( [ i18n.noHistory ] );
			empty.firstChild.colSpan = 6;
			body.replaceChildren( empty );
			return;
		}
		body.replaceChildren(
			...status.history.map( ( run ) => row( [
				'#' + run.id,
				run.created_at || i18n.none,
				withMode( run.status_label, run ),
				run.summary,
				format( i18n.seconds, number( run.seconds ) ),
				run.codec,
			] ) )
		);
	}

	function element( tag, text ) {
		const node = document.createElement( tag );
		node.textContent = text;
		return node;
	}

	function row( cells ) {
		const tr = document.createElement( 'tr' );
		tr.append( ...cells.map( ( text ) => element( 'td', text ) ) );
		return tr;
	}

	function render() {
		document.querySelectorAll( '[data-vis-sync]' ).forEach( ( card ) => {
			renderRun( card );
			renderAssign( card );
		} );
		renderHistory();
	}

	function schedulePoll() {
		window.clearTimeout( timer );
		if ( isBusy() ) {
			timer = window.setTimeout( poll, config.pollInterval );
		}
	}

	function poll() {
		window.clearTimeout( timer );
		return apiFetch( { path: base + '/status' } )
			.then( ( next ) => {
				const ended = isBusy() && ! ( next.run && next.run.active ) && 'running' !== next.assign.state;
				status = next;
				render();
				if ( ended ) {
					// "Started" no longer holds: the state line now tells how it ended.
					document.querySelectorAll( '[data-vis-sync]' ).forEach( ( card ) => setMessage( card, 'message', '' ) );
				}
			} )
			.catch( ( error ) => {
				document.querySelectorAll( '[data-vis-sync]' ).forEach( ( card ) => setMessage( card, 'message', errorText( error ), true ) );
			} )
			.finally( schedulePoll );
	}

	/**
	 * Sends one of the card's POST requests, shows its answer, then refreshes the status.
	 *
	 * @param {Element} card   The card whose button was pressed.
	 * @param {string}  path   Route below the namespace.
	 * @param {Element} source The button, disabled while the request runs.
	 * @param {Object}  data   Request body, if any.
	 */
	function post( card, path, source, data ) {
		source.disabled = true;
		setMessage( card, 'message', i18n.working );
		return apiFetch( { path: base + path, method: 'POST', data } )
			.then( ( reply ) => setMessage( card, 'message', reply.message ) )
			.catch( ( error ) => setMessage( card, 'message', errorText( error ), true ) )
			.finally( () => {
				source.disabled = false;
				return poll();
			} );
	}

	function bindCard( card ) {
		button( card, 'start' ).addEventListener( 'click', ( event ) => post( card, '/runs', event.currentTarget ) );
		button( card, 'start-full' ).addEventListener( 'click', ( event ) => post( card, '/runs', event.currentTarget, { mode: 'full' } ) );
		button( card, 'resume' ).addEventListener( 'click', ( event ) => post( card, '/runs/resume', event.currentTarget ) );
		button( card, 'assign' ).addEventListener( 'click', ( event ) => post( card, '/assign', event.currentTarget ) );
		button( card, 'cancel' ).addEventListener( 'click', ( event ) => {
			if ( window.confirm( i18n.confirmCancel ) ) {
				post( card, '/runs/cancel', event.currentTarget );
			}
		} );
	}

	/**
	 * "Test connection" tests what is typed in the form, saved or not.
	 *
	 * @param {Element} form The settings form.
	 */
	function bindSettings( form ) {
		const test = button( form, 'test-connection' );
		test.addEventListener( 'click', () => {
			test.disabled = true;
			setMessage( form, 'connection', i18n.testing );
			apiFetch( {
				path: base + '/test-connection',
				method: 'POST',
				data: {
					base_url: form.elements.base_url.value,
					session: Number( form.elements.session.value ) || 0,
				},
			} )
				.then( ( reply ) => setMessage( form, 'connection', reply.message ) )
				.catch( ( error ) => setMessage( form, 'connection', errorText( error ), true ) )
				.finally( () => {
					test.disabled = false;
				} );
		} );
	}

	document.querySelectorAll( '[data-vis-sync]' ).forEach( bindCard );
	document.querySelectorAll( '.vis-settings' ).forEach( bindSettings );
	render();
	schedulePoll();
}() );
